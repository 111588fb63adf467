import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** A fixed 32-byte key ring for tests only; production keys come from `wrangler secret put JWT_KEYS`. */
export const TEST_JWT_KEYS = JSON.stringify({
  current: "test-2",
  keys: {
    "test-1": "dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS10ZXN0LWtleQ",
    "test-2": "dGVzdC1rZXktdHdvLXRlc3Qta2V5LXR3by10ZXN0LWtleQ",
  },
});

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const warehouseMigrations = await readD1Migrations("./migrations-analytics");
  // The seed catalog (real data when ../shared/data is beside the clone) as SQL, for the search tests.
  const { loadSeedCatalog, loadSeedQueries } = await import("./scripts/catalog.mjs");
  const { buildSeedSql } = await import("./scripts/seed.mjs");
  const catalog = loadSeedCatalog();
  const seed = await buildSeedSql({
    products: catalog.products,
    queries: loadSeedQueries(catalog.products),
    sellerPassword: "seed-sellers-1",
  });
  // What `npm run seed -- --remote` would load (a slice of the catalog): checked for known passwords.
  const remoteSeed = await buildSeedSql({
    products: catalog.products.slice(0, 40),
    sellerPassword: null,
    withHistory: false,
  });
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            // Access logs off in tests (warnings and errors still print).
            LOG_LEVEL: "warn",
            JWT_KEYS: TEST_JWT_KEYS,
            ADMIN_EMAIL: "root@admin.test",
            WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
            // Every test runs under the platform's published limits (src/lib/platform-limits.ts).
            LIMIT_CHECKS: "on",
            ADMIN_BOOTSTRAP_TOKEN: "test-bootstrap-token-0123456789",
            PAYMENT_PROVIDER: "test",
            STRIPE_WEBHOOK_SECRET: "whsec_test_secret_for_the_suite",
            WALLET_KEY: "dGVzdC13YWxsZXQta2V5LTMyLWJ5dGVzLWxvbmctb2s",
            // Orders over two databases (DB and ORDERS_DB_1), so every test runs through the sharding seam.
            ORDER_SHARDS: "2",
            TEST_MIGRATIONS: migrations,
            TEST_WAREHOUSE_MIGRATIONS: warehouseMigrations,
            TEST_SEED_SQL: seed.sql,
            TEST_REMOTE_SEED_SQL: remoteSeed.sql,
            TEST_CATALOG_SOURCE: catalog.source,
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      setupFiles: ["./test/setup.ts"],
      silent: "passed-only",
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  };
});
