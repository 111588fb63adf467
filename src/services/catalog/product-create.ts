import { inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { getDb, rowsPerInsert } from "../../db/client";
import { categories, products, productVariants } from "../../db/schema/catalog";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Product } from "../../schemas/catalog";
import { buildEvent, dispatchEvents, outboxInsert, outboxInsertMany, type DomainEvent } from "../events";
import { findCategory } from "./categories";
import { assertValid, attributesForPath, validateAgainst, type AttributeRow } from "./attributes";
import { newVariantRows, type VariantRow } from "./variants";
import type { VariantInputT } from "../../schemas/attributes";
import { auctionRowInsert, auctionTerms, openAuction, type AuctionTermsInput } from "../auctions";
import { toProduct, type ProductRecord, type ProductRow } from "./product-reads";

/** Listing products: one (with its variants, stock and any auction) or a bulk of up to 500 in batches. */

export async function categoryOrFail(env: Pick<Env, "DB">, id: string, field = "category_id") {
  const cat = await findCategory(env, id);
  if (!cat) {
    throw new ApiError("validation_failed", "category_id names no category", {
      details: [{ field, code: "not_found", message: "No such category" }],
    });
  }
  return cat;
}

export function productEvent(
  type: "product.created" | "product.updated" | "product.archived",
  row: ProductRow,
): DomainEvent {
  return buildEvent(type, {
    product_id: row.id,
    seller_id: row.sellerId,
    category_id: row.categoryId,
    version: row.version,
  });
}

export interface CreateProductInput {
  name: string;
  description: string;
  /** Required but for an auction (its start price). */
  price?: number;
  list_price?: number | null;
  currency?: string;
  category_id: string;
  /** Required without variants; with them, the product's stock is theirs summed. */
  stock_available?: number;
  brand?: string | null;
  images?: string[];
  attributes?: Record<string, AttributeValue>;
  prices?: Partial<Record<string, number>>;
  variants?: VariantInputT[];
  /** Sold to the highest bidder (the auctions module holds the terms). */
  auction?: AuctionTermsInput;
}

export type AttributeValue = string | number | boolean | null | (string | number)[];

function stockRequired(field: string): never {
  throw new ApiError("validation_failed", "stock_available is required for a product without variants", {
    details: [{ field, code: "required", message: "give stock_available, or variants with their own" }],
  });
}

/** The product's rows: the product, and its variants (or its default one), checked against the category's attributes. */
function newProductRecord(
  sellerId: string,
  input: CreateProductInput,
  cat: { id: string; path: string },
  schema: AttributeRow[],
  now: string,
  prefix = "",
): ProductRecord {
  if (!input.variants?.length && input.stock_available === undefined) stockRequired(`${prefix}stock_available`);
  assertValid(validateAgainst(schema, input.attributes ?? {}, input.variants?.length ? input.variants : null, prefix));
  const row = newProductRow(sellerId, input, cat, now);
  const variants = newVariantRows(row.id, input.variants, input.stock_available ?? 0, now);
  row.stockAvailable = variants.reduce((s, v) => s + v.stockAvailable, 0);
  return { ...row, variants };
}

/** Prices by currency as stored: the given ones, without empty entries. */
export function cleanPrices(prices: Partial<Record<string, number>> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(prices ?? {}).filter((e): e is [string, number] => typeof e[1] === "number"),
  );
}

function newProductRow(
  sellerId: string,
  input: CreateProductInput,
  cat: { id: string; path: string },
  now: string,
): ProductRow {
  return {
    id: newId("product"),
    sellerId,
    categoryId: cat.id,
    categoryPath: cat.path,
    name: input.name,
    description: input.description,
    price: input.price ?? input.auction?.start_price ?? 0,
    listPrice: input.list_price ?? null,
    currency: input.currency ?? "usd",
    prices: cleanPrices(input.prices),
    stockBuckets: 1,
    // Opening stock: the inventory object adopts this value on its first call.
    stockAvailable: input.stock_available ?? 0,
    stockVersion: 0,
    brand: input.brand ?? null,
    images: input.images ?? [],
    attributes: input.attributes ?? {},
    status: "active",
    listing: input.auction ? "auction" : "fixed",
    ratingAverage: 0,
    ratingCount: 0,
    popularity: 0,
    version: 1,
    sourceRef: null,
    createdAt: now,
    updatedAt: now,
  };
}

export async function createProduct(
  env: Pick<Env, "DB" | "EVENTS" | "AUCTION">,
  sellerId: string,
  input: CreateProductInput,
): Promise<Product> {
  const cat = await categoryOrFail(env, input.category_id);
  // An auction sells one unit: stock_available defaults to 1 (auctionTerms refuses any other count).
  const given =
    input.auction && input.stock_available === undefined && !input.variants ? { ...input, stock_available: 1 } : input;
  const record = newProductRecord(
    sellerId,
    given,
    cat,
    await attributesForPath(env, cat.path),
    new Date().toISOString(),
  );
  const terms = input.auction ? auctionTerms(input.auction, record) : null;
  const db = getDb(env);
  const { variants, ...row } = record;
  const event = productEvent("product.created", record);
  await db.batch([
    db.insert(products).values(row),
    ...variantInserts(db, variants),
    ...(terms ? [auctionRowInsert(db, terms)] : []),
    outboxInsert(db, event),
  ]);
  if (terms) await openAuction(env, terms);
  await dispatchEvents(env, [event]);
  return toProduct(record);
}

function variantInserts(db: ReturnType<typeof getDb>, rows: VariantRow[]) {
  const per = rowsPerInsert(productVariants);
  const out = [];
  for (let i = 0; i < rows.length; i += per) out.push(db.insert(productVariants).values(rows.slice(i, i + per)));
  return out;
}

/** A seller's import in one request (a catalog feed). */
export const MAX_BULK_PRODUCTS = 500;

const PRODUCT_ROWS_PER_INSERT = rowsPerInsert(products);

/**
 * Many products at once, all or nothing: every row and its outbox event in one D1 batch (one
 * transaction), the inserts chunked under the bound-value limit. Categories are read once each.
 * A bad category names its index (`products.7.category_id`).
 */
export async function createProducts(
  env: Pick<Env, "DB" | "EVENTS">,
  sellerId: string,
  inputs: CreateProductInput[],
): Promise<Product[]> {
  const auctions = inputs.flatMap((input, i) =>
    input.auction
      ? [
          {
            field: `products.${i}.auction`,
            code: "unsupported",
            message: "An auction is listed on its own (POST /products)",
          },
        ]
      : [],
  );
  if (auctions.length)
    throw new ApiError("validation_failed", "Auction listings are created one at a time", {
      details: auctions.slice(0, 100),
    });
  const unpriced = inputs.flatMap((input, i) =>
    input.price === undefined ? [{ field: `products.${i}.price`, code: "required", message: "price is required" }] : [],
  );
  if (unpriced.length)
    throw new ApiError("validation_failed", "price is required", { details: unpriced.slice(0, 100) });
  const cats = new Map<string, { id: string; path: string }>();
  const ids = [...new Set(inputs.map((i) => i.category_id))];
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await getDb(env)
      .select({ id: categories.id, path: categories.path })
      .from(categories)
      .where(inArray(categories.id, ids.slice(i, i + 90)))
      .all();
    for (const r of rows) cats.set(r.id, r);
  }
  const missing = inputs.flatMap((input, i) =>
    cats.has(input.category_id)
      ? []
      : [{ field: `products.${i}.category_id`, code: "not_found", message: "No such category" }],
  );
  if (missing.length)
    throw new ApiError("validation_failed", "Some category_id names no category", { details: missing.slice(0, 100) });
  const now = new Date().toISOString();
  const schemas = new Map<string, AttributeRow[]>();
  for (const cat of cats.values()) schemas.set(cat.id, await attributesForPath(env, cat.path));
  const records = inputs.map((input, i) =>
    newProductRecord(
      sellerId,
      input,
      cats.get(input.category_id)!,
      schemas.get(input.category_id)!,
      now,
      `products.${i}.`,
    ),
  );
  const rows = records.map(({ variants: _v, ...row }) => row);
  const events = records.map((r) => productEvent("product.created", r));
  const db = getDb(env);
  const statements: BatchItem<"sqlite">[] = [];
  for (let i = 0; i < rows.length; i += PRODUCT_ROWS_PER_INSERT)
    statements.push(db.insert(products).values(rows.slice(i, i + PRODUCT_ROWS_PER_INSERT)));
  statements.push(
    ...variantInserts(
      db,
      records.flatMap((r) => r.variants),
    ),
  );
  statements.push(...outboxInsertMany(db, events));
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  await dispatchEvents(env, events);
  return records.map(toProduct);
}
