import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { enableTestSeams } from "../src/lib/test-seams";

// Tests may replace parts of the Worker through its one test seam (src/lib/test-seams.ts).
enableTestSeams();

// Runs before each test file; applyD1Migrations skips what is already applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
await applyD1Migrations(env.ORDERS_DB_1, env.TEST_MIGRATIONS);
await applyD1Migrations(env.WAREHOUSE, env.TEST_WAREHOUSE_MIGRATIONS);

// The seller-money ledger is double-entry: after every test in every file it sums to zero.
import { afterEach, expect } from "vitest";
import { ledgerSum } from "../src/services/ledger";
afterEach(async () => {
  expect(await ledgerSum(env), "the ledger must sum to zero").toBe(0);
});
