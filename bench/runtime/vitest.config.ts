import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// In-runtime benchmarks: the same Worker and bindings as the tests, without HTTP.
export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const warehouseMigrations = await readD1Migrations("./migrations-analytics");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: { bindings: { ENVIRONMENT: "bench", LOG_LEVEL: "warn", TEST_MIGRATIONS: migrations, TEST_WAREHOUSE_MIGRATIONS: warehouseMigrations, JWT_KEYS: "{}" } },
      }),
    ],
    test: { include: ["bench/runtime/**/*.test.ts"], setupFiles: ["./test/setup.ts"], testTimeout: 300_000 },
  };
});
