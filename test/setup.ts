import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Runs before each test file; applyD1Migrations skips what is already applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.ORDERS_DB_1, env.TEST_MIGRATIONS);
await applyD1Migrations(env.WAREHOUSE, env.TEST_WAREHOUSE_MIGRATIONS);
