CREATE TABLE `wallet_customers` (
	`user_id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`customer_ref` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `wallet_methods` ADD `brand` text;--> statement-breakpoint
ALTER TABLE `wallet_methods` ADD `last4` text;--> statement-breakpoint
ALTER TABLE `wallet_methods` ADD `exp_month` integer;--> statement-breakpoint
ALTER TABLE `wallet_methods` ADD `exp_year` integer;