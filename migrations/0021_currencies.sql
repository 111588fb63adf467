CREATE TABLE `fx_rates` (
	`currency` text PRIMARY KEY NOT NULL,
	`rate_micro` integer NOT NULL,
	`source` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `ledger_entries` ADD `fx_rate_micro` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `fx_rate_micro` integer DEFAULT 1000000 NOT NULL;--> statement-breakpoint
-- Indicative rates (micro-units per 1 USD) to start from; an admin replaces them (PUT /admin/fx-rates).
INSERT OR IGNORE INTO `fx_rates` (`currency`, `rate_micro`, `source`) VALUES
  ('usd', 1000000, 'base'),
  ('eur', 920000, 'seed'),
  ('gbp', 790000, 'seed'),
  ('jpy', 150000000, 'seed'),
  ('cad', 1360000, 'seed'),
  ('aud', 1520000, 'seed'),
  ('chf', 880000, 'seed');
