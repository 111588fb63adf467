CREATE TABLE `commission_rules` (
	`category_id` text PRIMARY KEY NOT NULL,
	`percent_bp` integer NOT NULL,
	`fixed` integer DEFAULT 0 NOT NULL,
	`min` integer,
	`max` integer,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`account` text NOT NULL,
	`seller_id` text,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text DEFAULT 'usd' NOT NULL,
	`order_id` text,
	`order_item_id` text,
	`payout_id` text,
	`ref` text NOT NULL,
	`available_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_ref_uq` ON `ledger_entries` (`ref`);--> statement-breakpoint
CREATE INDEX `ledger_entries_seller_idx` ON `ledger_entries` (`seller_id`,`id`);--> statement-breakpoint
CREATE INDEX `ledger_entries_order_idx` ON `ledger_entries` (`order_id`);--> statement-breakpoint
CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text DEFAULT 'usd' NOT NULL,
	`status` text NOT NULL,
	`transfer_ref` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payouts_seller_idx` ON `payouts` (`seller_id`,`id`);