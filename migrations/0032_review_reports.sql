CREATE TABLE `review_reports` (
	`review_id` text NOT NULL,
	`user_id` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`review_id`, `user_id`)
);
--> statement-breakpoint
ALTER TABLE `reviews` ADD `report_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `reviews` ADD `last_reported_at` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `moderated_at` text;--> statement-breakpoint
CREATE INDEX `reviews_reports_idx` ON `reviews` (`report_count`,`id`);