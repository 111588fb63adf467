declare namespace Cloudflare {
  interface Env {
    /** Migrations read by vitest.config.ts and applied in test/setup.ts. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_WAREHOUSE_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The seed catalog as SQL (scripts/seed.mjs), for tests that need the real catalog. */
    TEST_SEED_SQL: string;
    /** "real" when ../shared/data was beside the clone, else "generated". */
    TEST_CATALOG_SOURCE: string;
    /** The test admin's address (the admin is created through the bootstrap token). */
    ADMIN_EMAIL: string;
    /** A remote seed (scripts/seed.mjs with no passwords) of a few products, as SQL. */
    TEST_REMOTE_SEED_SQL: string;
  }
}
