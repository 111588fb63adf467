CREATE TABLE `fact_tax` (
	`fact_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`jurisdiction` text NOT NULL,
	`added` integer NOT NULL,
	`included` integer NOT NULL,
	`currency` text NOT NULL,
	`date_key` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fact_tax_jurisdiction_idx` ON `fact_tax` (`jurisdiction`,`date_key`);