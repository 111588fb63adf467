ALTER TABLE `seller_payout_settings` ADD `hold_days` integer DEFAULT 7 NOT NULL;--> statement-breakpoint
ALTER TABLE `seller_payout_settings` ADD `payout_schedule` text DEFAULT 'daily' NOT NULL;--> statement-breakpoint
ALTER TABLE `seller_payout_settings` ADD `return_window_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `seller_payout_settings` ADD `refund_on_approval_below` integer;