CREATE TABLE `shipping_profiles` (
	`seller_id` text PRIMARY KEY NOT NULL,
	`zones` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tax_rates` (
	`country` text NOT NULL,
	`region` text DEFAULT '' NOT NULL,
	`name` text NOT NULL,
	`rate_bp` integer NOT NULL,
	`inclusive` integer NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`country`, `region`)
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `tax_total` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `tax_included` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `shipping_lines` text DEFAULT '[]' NOT NULL;