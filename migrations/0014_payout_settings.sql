CREATE TABLE `seller_payout_settings` (
	`seller_id` text PRIMARY KEY NOT NULL,
	`payout_account` text,
	`on_hold` integer DEFAULT false NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
