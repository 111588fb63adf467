import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_JWT_KEYS } from "../../vitest.config";

// In-runtime benchmarks: the same Worker and bindings as the tests, without HTTP.
// BENCH_ONLY_FILE=checkout runs one file.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const warehouseMigrations = await readD1Migrations("./migrations-analytics");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ENVIRONMENT: "bench",
            LOG_LEVEL: "warn",
            PAYMENT_PROVIDER: "test",
            WALLET_KEY: "dGVzdC13YWxsZXQta2V5LTMyLWJ5dGVzLWxvbmctb2s",
            TEST_MIGRATIONS: migrations,
            TEST_WAREHOUSE_MIGRATIONS: warehouseMigrations,
            JWT_KEYS: TEST_JWT_KEYS,
            BENCH_CHECKOUTS: process.env.BENCH_CHECKOUTS ?? "1500",
            BENCH_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? "16",
            // Overrides for experiments, e.g. BENCH_VARS='{"WRITE_LIMITS":"off"}'.
            ...JSON.parse(process.env.BENCH_VARS ?? "{}"),
          },
        },
      }),
    ],
    test: {
      include: [`bench/runtime/**/${process.env.BENCH_ONLY_FILE ?? ""}*.test.ts`],
      setupFiles: ["./test/setup.ts"],
      testTimeout: 600_000,
    },
  };
});
