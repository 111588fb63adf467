-- Every product made before variants gets its default variant: `var_` + the product id's body,
-- no options, the product's stock (its inventory object, named by the product id, keeps holding it).
INSERT OR IGNORE INTO `product_variants` (`id`, `product_id`, `sku`, `options`, `options_key`, `price`, `stock_available`, `stock_version`, `stock_buckets`, `position`, `created_at`, `updated_at`)
SELECT 'var_' || substr(`id`, 5), `id`, NULL, '{}', '{}', NULL, `stock_available`, `stock_version`, `stock_buckets`, 0, `created_at`, `updated_at` FROM `products`;
