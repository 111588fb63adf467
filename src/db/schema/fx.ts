import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { updatedAt } from "./columns";

/** Exchange rates for presentment currencies, in micro-units per 1 USD (an admin or the rates job updates them). */
export const fxRates = sqliteTable("fx_rates", {
  currency: text("currency").primaryKey(),
  rateMicro: integer("rate_micro").notNull(),
  source: text("source").notNull(),
  updatedAt: updatedAt(),
});
