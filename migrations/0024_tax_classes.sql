CREATE TABLE `tax_class_rates` (
	`country` text NOT NULL,
	`region` text DEFAULT '' NOT NULL,
	`tax_class` text NOT NULL,
	`rate_bp` integer NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`country`, `region`, `tax_class`)
);
--> statement-breakpoint
ALTER TABLE `categories` ADD `tax_class` text;--> statement-breakpoint
ALTER TABLE `order_items` ADD `tax` integer DEFAULT 0 NOT NULL;