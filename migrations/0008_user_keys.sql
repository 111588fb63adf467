CREATE TABLE `user_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL
);
--> statement-breakpoint
-- Backfill: users who signed up before the key table existed (one database: every key is on shard 0).
INSERT OR IGNORE INTO `user_keys` (`key`, `user_id`) SELECT 'email:' || `email`, `id` FROM `users`;
--> statement-breakpoint
INSERT OR IGNORE INTO `user_keys` (`key`, `user_id`) SELECT 'username:' || `username_key`, `id` FROM `users`;
