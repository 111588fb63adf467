import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { updatedAt } from "./columns";

// ---- search module (src/services/search/*) ---------------------------------
/** Popular queries for autocomplete: seeded from real shopper queries, grown by searches that found something. */
export const searchQueries = sqliteTable(
  "search_queries",
  {
    /** Lower-cased, single-spaced. */
    query: text("query").primaryKey(),
    popularity: integer("popularity").notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index("search_queries_popularity_idx").on(t.popularity)],
);
