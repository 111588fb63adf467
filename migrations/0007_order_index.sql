CREATE TABLE `order_index` (
	`owner_id` text NOT NULL,
	`role` text NOT NULL,
	`order_id` text NOT NULL,
	PRIMARY KEY(`owner_id`, `role`, `order_id`)
);
--> statement-breakpoint
-- Backfill: orders placed before the index existed (one database: every order is on shard 0).
INSERT OR IGNORE INTO `order_index` (`owner_id`, `role`, `order_id`) SELECT `user_id`, 'buyer', `id` FROM `orders`;
--> statement-breakpoint
INSERT OR IGNORE INTO `order_index` (`owner_id`, `role`, `order_id`) SELECT DISTINCT `seller_id`, 'seller', `order_id` FROM `order_items`;
