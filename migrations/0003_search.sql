CREATE TABLE `search_queries` (
	`query` text PRIMARY KEY NOT NULL,
	`popularity` integer NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `search_queries_popularity_idx` ON `search_queries` (`popularity`);