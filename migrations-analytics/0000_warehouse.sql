CREATE TABLE `co_purchases` (
	`product_id` text NOT NULL,
	`other_id` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product_id`, `other_id`)
);
--> statement-breakpoint
CREATE INDEX `co_purchases_top_idx` ON `co_purchases` (`product_id`,`count`);--> statement-breakpoint
CREATE TABLE `co_views` (
	`product_id` text NOT NULL,
	`other_id` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product_id`, `other_id`)
);
--> statement-breakpoint
CREATE INDEX `co_views_top_idx` ON `co_views` (`product_id`,`count`);--> statement-breakpoint
CREATE TABLE `dim_products` (
	`product_id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`name` text NOT NULL,
	`category_id` text NOT NULL,
	`brand` text,
	`status` text NOT NULL,
	`stock_available` integer NOT NULL,
	`rating_average` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dim_products_seller_idx` ON `dim_products` (`seller_id`,`stock_available`);--> statement-breakpoint
CREATE TABLE `fact_order_items` (
	`order_item_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`product_id` text NOT NULL,
	`user_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`revenue` integer NOT NULL,
	`status` text NOT NULL,
	`date_key` text NOT NULL,
	`paid_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fact_order_items_seller_idx` ON `fact_order_items` (`seller_id`,`date_key`);--> statement-breakpoint
CREATE INDEX `fact_order_items_product_idx` ON `fact_order_items` (`product_id`);--> statement-breakpoint
CREATE TABLE `fact_product_views` (
	`view_id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`date_key` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fact_product_views_seller_idx` ON `fact_product_views` (`seller_id`,`date_key`,`product_id`);--> statement-breakpoint
CREATE TABLE `fact_refunds` (
	`event_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`amount` integer NOT NULL,
	`date_key` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fact_refunds_order_idx` ON `fact_refunds` (`order_id`);--> statement-breakpoint
CREATE TABLE `fact_registrations` (
	`user_id` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`date_key` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `fact_searches` (
	`event_id` text PRIMARY KEY NOT NULL,
	`query` text NOT NULL,
	`hits` integer NOT NULL,
	`date_key` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `order_status` (
	`order_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`rank` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recent_views` (
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`viewed_at` text NOT NULL,
	PRIMARY KEY(`user_id`, `product_id`)
);
--> statement-breakpoint
CREATE INDEX `recent_views_user_idx` ON `recent_views` (`user_id`,`viewed_at`);--> statement-breakpoint
CREATE TABLE `rollup_seller_daily` (
	`seller_id` text NOT NULL,
	`date_key` text NOT NULL,
	`revenue` integer NOT NULL,
	`orders` integer NOT NULL,
	`units` integer NOT NULL,
	PRIMARY KEY(`seller_id`, `date_key`)
);
--> statement-breakpoint
CREATE TABLE `user_affinity` (
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`score` integer NOT NULL,
	PRIMARY KEY(`user_id`, `kind`, `key`)
);
--> statement-breakpoint
CREATE INDEX `user_affinity_top_idx` ON `user_affinity` (`user_id`,`score`);--> statement-breakpoint
CREATE TABLE `user_purchases` (
	`user_id` text NOT NULL,
	`product_id` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`user_id`, `product_id`)
);
