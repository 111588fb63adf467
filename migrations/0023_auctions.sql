CREATE TABLE `auction_bids` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`bidder_id` text NOT NULL,
	`max_amount` integer NOT NULL,
	`price_after` integer NOT NULL,
	`placed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auction_bids_bidder_idx` ON `auction_bids` (`bidder_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `auction_bids_product_idx` ON `auction_bids` (`product_id`,`placed_at`);--> statement-breakpoint
CREATE TABLE `auctions` (
	`product_id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`start_price` integer NOT NULL,
	`reserve_price` integer,
	`buy_now_price` integer,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'live' NOT NULL,
	`outcome` text,
	`current_price` integer NOT NULL,
	`bid_count` integer DEFAULT 0 NOT NULL,
	`leader_id` text,
	`winner_id` text,
	`order_id` text,
	`seq` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auctions_seller_idx` ON `auctions` (`seller_id`,`product_id`);--> statement-breakpoint
CREATE INDEX `auctions_status_ends_idx` ON `auctions` (`status`,`ends_at`);--> statement-breakpoint
ALTER TABLE `orders` ADD `pay_by` integer;--> statement-breakpoint
ALTER TABLE `products` ADD `listing` text DEFAULT 'fixed' NOT NULL;