import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { TAX_CLASSES } from "../../lib/tax-classes";

/** Tax rates by jurisdiction: a country, or a region of it (`region` '' for the whole country). */
export const taxRates = sqliteTable(
  "tax_rates",
  {
    country: text("country").notNull(),
    region: text("region").notNull().default(""),
    name: text("name").notNull(),
    /** Basis points: 725 is 7.25%. */
    rateBp: integer("rate_bp").notNull(),
    /** VAT or GST contained in prices (true), or sales tax added on top (false). */
    inclusive: integer("inclusive", { mode: "boolean" }).notNull(),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.region] })],
);

/** Reduced and zero rates by tax class per jurisdiction; a class without a row here pays the standard rate. */
export const taxClassRates = sqliteTable(
  "tax_class_rates",
  {
    country: text("country").notNull(),
    region: text("region").notNull().default(""),
    taxClass: text("tax_class", { enum: TAX_CLASSES }).notNull(),
    /** Basis points (700 is 7%); inclusive or added as the jurisdiction's standard rate is. */
    rateBp: integer("rate_bp").notNull(),
    source: text("source").notNull(),
  },
  (t) => [primaryKey({ columns: [t.country, t.region, t.taxClass] })],
);
