import { and, eq, sql } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../../db/client";
import { products, productVariants } from "../../db/schema/catalog";
import { ApiError } from "../../lib/errors";
import type { Variant, VariantInputT } from "../../schemas/attributes";
import type { AuthContext } from "../../types";
import { buildEvent, dispatchEvents, outboxInsert } from "../events";
import { assertValid, attributesForPath, validateAgainst } from "./attributes";
import { assertCanManage, findProduct, invalidateProduct } from "./products";
import { toVariant, variantRow, type VariantRow } from "./variants";

/** The most variants one product may have (a size run times a few colours). */
const MAX_VARIANTS = 100;

function conflict(err: unknown): never {
  if (isUniqueViolation(err, "sku")) throw new ApiError("conflict", "Another variant of this product has this SKU");
  if (isUniqueViolation(err)) throw new ApiError("conflict", "Another variant of this product has these options");
  throw err;
}

/** Adds a variant to a product; its opening stock is what its inventory object starts from. */
export async function createVariant(
  env: Pick<Env, "DB" | "EVENTS">,
  auth: AuthContext,
  productId: string,
  input: VariantInputT,
): Promise<Variant> {
  const product = await findProduct(env, productId);
  if (!product) throw new ApiError("not_found", "Product not found");
  assertCanManage(auth, product);
  if (product.listing === "auction")
    throw new ApiError("invalid_state", "An auction sells a single item: it has one variant");
  if (product.variants.length >= MAX_VARIANTS)
    throw new ApiError("invalid_state", `A product has at most ${MAX_VARIANTS} variants`);
  const schema = (await attributesForPath(env, product.categoryPath)).filter((a) => a.variantOption);
  assertValid(
    validateAgainst(schema, {}, [input]).map((d) => ({ ...d, field: d.field.replace(/^variants\.0\./, "") })),
  );
  const now = new Date().toISOString();
  const row = variantRow(productId, input, Math.max(-1, ...product.variants.map((v) => v.position)) + 1, now);
  const db = getDb(env);
  const event = buildEvent("product.updated", {
    product_id: productId,
    seller_id: product.sellerId,
    category_id: product.categoryId,
    version: product.version + 1,
  });
  try {
    await db.batch([
      db.insert(productVariants).values(row),
      // The product's stock is its variants' summed; the version moves so caches and search see the new variant.
      db
        .update(products)
        .set({
          stockAvailable: sql`(SELECT COALESCE(SUM(${productVariants.stockAvailable}), 0) FROM ${productVariants} WHERE ${productVariants.productId} = ${productId})`,
          version: sql`${products.version} + 1`,
          updatedAt: now,
        })
        .where(eq(products.id, productId)),
      outboxInsert(db, event),
    ]);
  } catch (err) {
    conflict(err);
  }
  await invalidateProduct(productId);
  await dispatchEvents(env, [event]);
  return toVariant(row, product.price);
}

/** Changes a variant's SKU or price override (its stock moves through the inventory routes). */
export async function updateVariant(
  env: Pick<Env, "DB" | "EVENTS">,
  auth: AuthContext,
  productId: string,
  variantId: string,
  input: { sku?: string | null; price?: number | null; weight_grams?: number | null },
): Promise<Variant> {
  const product = await findProduct(env, productId);
  if (!product) throw new ApiError("not_found", "Product not found");
  assertCanManage(auth, product);
  const current = product.variants.find((v) => v.id === variantId);
  if (!current) throw new ApiError("not_found", "Variant not found");
  const now = new Date().toISOString();
  const patch: Partial<VariantRow> = { updatedAt: now };
  if (input.sku !== undefined) patch.sku = input.sku;
  if (input.price !== undefined) patch.price = input.price;
  if (input.weight_grams !== undefined) patch.weightGrams = input.weight_grams;
  const db = getDb(env);
  const event = buildEvent("product.updated", {
    product_id: productId,
    seller_id: product.sellerId,
    category_id: product.categoryId,
    version: product.version + 1,
  });
  try {
    await db.batch([
      db
        .update(productVariants)
        .set(patch)
        .where(and(eq(productVariants.id, variantId), eq(productVariants.productId, productId))),
      db
        .update(products)
        .set({ version: sql`${products.version} + 1`, updatedAt: now })
        .where(eq(products.id, productId)),
      outboxInsert(db, event),
    ]);
  } catch (err) {
    conflict(err);
  }
  await invalidateProduct(productId);
  await dispatchEvents(env, [event]);
  return toVariant({ ...current, ...patch }, product.price);
}
