CREATE TABLE `returns` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`user_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`status` text NOT NULL,
	`items` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`label` text,
	`tracking_number` text,
	`requested_amount` integer,
	`refund_id` text,
	`amount` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `returns_user_idx` ON `returns` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `returns_seller_idx` ON `returns` (`seller_id`,`id`);--> statement-breakpoint
CREATE INDEX `returns_order_idx` ON `returns` (`order_id`);