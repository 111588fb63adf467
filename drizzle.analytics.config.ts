import { defineConfig } from "drizzle-kit";

// The analytics warehouse's migrations (npm run db:generate:analytics).
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/analytics/schema.ts",
  out: "./migrations-analytics",
});
