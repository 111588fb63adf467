CREATE TABLE `category_attributes` (
	`id` text PRIMARY KEY NOT NULL,
	`category_id` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`values` text DEFAULT '[]' NOT NULL,
	`unit` text,
	`required` integer DEFAULT false NOT NULL,
	`variant_option` integer DEFAULT false NOT NULL,
	`facet` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `category_attributes_name_uq` ON `category_attributes` (`category_id`,`name`);--> statement-breakpoint
CREATE INDEX `category_attributes_facet_idx` ON `category_attributes` (`facet`);--> statement-breakpoint
CREATE TABLE `product_variants` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`sku` text,
	`options` text DEFAULT '{}' NOT NULL,
	`options_key` text DEFAULT '{}' NOT NULL,
	`price` integer,
	`stock_available` integer DEFAULT 0 NOT NULL,
	`stock_version` integer DEFAULT 0 NOT NULL,
	`stock_buckets` integer DEFAULT 1 NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `product_variants_product_idx` ON `product_variants` (`product_id`,`position`);--> statement-breakpoint
CREATE UNIQUE INDEX `product_variants_options_uq` ON `product_variants` (`product_id`,`options_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `product_variants_sku_uq` ON `product_variants` (`product_id`,`sku`);--> statement-breakpoint
ALTER TABLE `order_items` ADD `variant_id` text;--> statement-breakpoint
ALTER TABLE `order_items` ADD `options` text DEFAULT '{}' NOT NULL;