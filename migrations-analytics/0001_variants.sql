CREATE TABLE `dim_variants` (
	`variant_id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`status` text NOT NULL,
	`stock_available` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dim_variants_seller_idx` ON `dim_variants` (`seller_id`,`stock_available`);--> statement-breakpoint
CREATE INDEX `dim_variants_product_idx` ON `dim_variants` (`product_id`);--> statement-breakpoint
ALTER TABLE `fact_order_items` ADD `variant_id` text;