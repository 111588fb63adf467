CREATE TABLE `payment_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `payments` ADD `capture_method` text DEFAULT 'automatic' NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `captured_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `released_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `captures` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `authorized_until` text;--> statement-breakpoint
-- Charges written before authorise-then-capture were captured when they succeeded.
UPDATE `payments` SET `captured_amount` = `amount` WHERE `status` = 'succeeded';
