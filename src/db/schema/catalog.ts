import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { TAX_CLASSES } from "../../lib/tax-classes";
import { createdAt, updatedAt } from "./columns";

// ---- catalog module (src/services/catalog/) ---------------------------------
export const categories = sqliteTable(
  "categories",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    parentId: text("parent_id"),
    /** `''` for roots: SQLite treats NULLs as distinct, so uniqueness needs a non-null key. */
    parentKey: text("parent_key").notNull().default(""),
    /** Materialised path of ids, `/cat_a/cat_b/`: descendants are `path LIKE '/cat_a/%'`. */
    path: text("path").notNull(),
    depth: integer("depth").notNull(),
    /** Reduced or zero-rated as this where a jurisdiction says so (src/lib/tax-classes.ts); null: inherited, else standard. */
    taxClass: text("tax_class", { enum: TAX_CLASSES }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("categories_sibling_name_uq").on(t.parentKey, t.name), index("categories_path_idx").on(t.path)],
);

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    sellerId: text("seller_id").notNull(),
    categoryId: text("category_id").notNull(),
    /** Copied from the category at write time so listings by subtree need no join. */
    categoryPath: text("category_path").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    /** Integer minor units. */
    price: integer("price").notNull(),
    /** The reference price a sale is measured against (minor units), when there is one. */
    listPrice: integer("list_price"),
    currency: text("currency").notNull().default("usd"),
    /**
     * Prices the seller set in other currencies (minor units by currency, `{ "eur": 1899 }`): a cart in one
     * of them charges this instead of converting `price`. Variants with a price of their own are converted.
     */
    prices: text("prices", { mode: "json" }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    /** Projection of the inventory Durable Object's `available`; checkout never trusts it. */
    stockAvailable: integer("stock_available").notNull().default(0),
    /** The inventory DO's sequence number of the projected value: older writes never win. */
    stockVersion: integer("stock_version").notNull().default(0),
    /** How many inventory bucket objects share this product's stock (1: its InventoryItem alone); see docs/hot-skus.md. */
    stockBuckets: integer("stock_buckets").notNull().default(1),
    brand: text("brand"),
    images: text("images", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    attributes: text("attributes", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    status: text("status", { enum: ["active", "archived"] })
      .notNull()
      .default("active"),
    /** How it is sold: at its price (`fixed`), or to the highest bidder (`auction`: the auctions module holds the terms). */
    listing: text("listing", { enum: ["fixed", "auction"] })
      .notNull()
      .default("fixed"),
    ratingAverage: real("rating_average").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    popularity: integer("popularity").notNull().default(0),
    /** Bumped on every write; search applies an event only if it is newer than what it holds. */
    version: integer("version").notNull().default(1),
    /** Where a seeded product came from (`bestbuy:<n>`, `mrporter:<id>`), for idempotent imports. */
    sourceRef: text("source_ref"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("products_category_list_idx").on(t.status, t.categoryPath, t.id),
    index("products_seller_list_idx").on(t.sellerId, t.status, t.id),
    index("products_status_id_idx").on(t.status, t.id),
    uniqueIndex("products_source_ref_uq").on(t.sourceRef),
  ],
);

/**
 * A product's variants (sizes, colours, capacities): each is sold and stocked on its own, its stock
 * held by its own inventory object. Every product has at least one; a product made without variants
 * has one default variant (`var_` + the product id's body, empty options) whose inventory object is
 * the product's own, so stock that existed before variants stays where it was.
 */
export const productVariants = sqliteTable(
  "product_variants",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull(),
    sku: text("sku"),
    options: text("options", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    /** The options as canonical JSON (sorted names): two variants of one product never share it. */
    optionsKey: text("options_key").notNull().default("{}"),
    /** Overrides the product's price (minor units) when set. */
    price: integer("price"),
    /** Projection of the variant's inventory object, as `products.stock_available` is of the sum. */
    stockAvailable: integer("stock_available").notNull().default(0),
    stockVersion: integer("stock_version").notNull().default(0),
    stockBuckets: integer("stock_buckets").notNull().default(1),
    /** Shipping weight of one unit (weight-band shipping rates); null: not given, counts as 0. */
    weightGrams: integer("weight_grams"),
    position: integer("position").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("product_variants_product_idx").on(t.productId, t.position),
    uniqueIndex("product_variants_options_uq").on(t.productId, t.optionsKey),
    uniqueIndex("product_variants_sku_uq").on(t.productId, t.sku),
  ],
);

/** The attributes a category's products carry (inherited by its subcategories), typed and validated. */
export const categoryAttributes = sqliteTable(
  "category_attributes",
  {
    id: text("id").primaryKey(),
    categoryId: text("category_id").notNull(),
    name: text("name").notNull(),
    type: text("type", { enum: ["enum", "number", "text", "boolean"] }).notNull(),
    values: text("values", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    unit: text("unit"),
    required: integer("required", { mode: "boolean" }).notNull().default(false),
    /** A variant option (size): its value belongs to each variant, not the product. */
    variantOption: integer("variant_option", { mode: "boolean" }).notNull().default(false),
    /** Search offers it as a facet and a filter. */
    facet: integer("facet", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("category_attributes_name_uq").on(t.categoryId, t.name),
    index("category_attributes_facet_idx").on(t.facet),
  ],
);
