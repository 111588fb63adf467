import { sql } from "drizzle-orm";
import type { productVariants } from "../../db/schema/catalog";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { defaultVariantId, optionsKey } from "../../lib/variant-ids";
import type { Variant, VariantInputT } from "../../schemas/attributes";

/**
 * A product's variants: owns `product_variants`. The rows' stock is the inventory objects'
 * projection (one object per variant); everything else (SKU, options, price override) is the
 * catalog's.
 */
export type VariantRow = typeof productVariants.$inferSelect;

export function toVariant(r: VariantRow, productPrice: number): Variant {
  return {
    variant_id: r.id,
    product_id: r.productId,
    sku: r.sku,
    options: r.options,
    price: r.price ?? productPrice,
    price_override: r.price,
    stock_available: r.stockAvailable,
    weight_grams: r.weightGrams ?? null,
  };
}

/**
 * A product's variants as one JSON column of its own row (a correlated subquery), so a read of
 * products and their variants is one statement whose result is a row per product: locally, D1's
 * result conversion costs per row and value, and a row per variant doubled a search page's cost.
 */
export const variantsJsonColumn = sql<string>`(SELECT json_group_array(json_object(
  'id', v.id, 'productId', v.product_id, 'sku', v.sku, 'options', json(v.options), 'optionsKey', v.options_key, 'price', v.price,
  'stockAvailable', v.stock_available, 'stockVersion', v.stock_version, 'stockBuckets', v.stock_buckets, 'weightGrams', v.weight_grams, 'position', v.position,
  'createdAt', v.created_at, 'updatedAt', v.updated_at)) FROM product_variants v WHERE v.product_id = products.id)`;

/** The variants of variantsJsonColumn, in position order. */
export function parseVariants(text: string | null | undefined): VariantRow[] {
  if (!text) return [];
  return (JSON.parse(text) as VariantRow[]).sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));
}

/** The rows a new product's variants start as: the given ones, or one default variant holding `stock`. */
export function newVariantRows(
  productId: string,
  inputs: VariantInputT[] | undefined,
  stock: number,
  now: string,
): VariantRow[] {
  const list = inputs?.length ? inputs : null;
  if (!list) {
    return [
      {
        id: defaultVariantId(productId),
        productId,
        sku: null,
        options: {},
        optionsKey: "{}",
        price: null,
        stockAvailable: stock,
        stockVersion: 0,
        stockBuckets: 1,
        weightGrams: null,
        position: 0,
        createdAt: now,
        updatedAt: now,
      },
    ];
  }
  const seen = new Map<string, number>();
  const skus = new Map<string, number>();
  list.forEach((v, i) => {
    const key = optionsKey(v.options);
    if (seen.has(key)) throw duplicate(`variants.${i}.options`, `the same options as variants.${seen.get(key)}`);
    seen.set(key, i);
    if (v.sku) {
      if (skus.has(v.sku)) throw duplicate(`variants.${i}.sku`, `the same SKU as variants.${skus.get(v.sku)}`);
      skus.set(v.sku, i);
    }
  });
  return list.map((v, i) => variantRow(productId, v, i, now));
}

/** A new variant's row (not a default variant: its id is its own). */
export function variantRow(productId: string, v: VariantInputT, position: number, now: string): VariantRow {
  return {
    id: newId("variant"),
    productId,
    sku: v.sku ?? null,
    options: v.options,
    optionsKey: optionsKey(v.options),
    price: v.price ?? null,
    stockAvailable: v.stock_available,
    stockVersion: 0,
    stockBuckets: 1,
    weightGrams: v.weight_grams ?? null,
    position,
    createdAt: now,
    updatedAt: now,
  };
}

function duplicate(field: string, message: string): ApiError {
  return new ApiError("validation_failed", `Two variants clash: ${field} has ${message}`, {
    details: [{ field, code: "duplicate", message }],
  });
}

/**
 * Resolves which variant a cart or stock request means. With one variant, the id may be left
 * out; with several it is required, and the 400 lists them so a client can ask the shopper.
 */
export function pickVariant(
  variants: VariantRow[],
  variantId: string | undefined | null,
  productPrice: number,
): VariantRow {
  if (variantId) {
    const v = variants.find((x) => x.id === variantId);
    if (!v) {
      throw new ApiError("validation_failed", "variant_id names no variant of this product", {
        details: [
          { field: "variant_id", code: "not_found", message: `one of ${variants.map((x) => x.id).join(", ")}` },
        ],
      });
    }
    return v;
  }
  if (variants.length === 1) return variants[0];
  throw new ApiError("validation_failed", "This product comes in several variants: say which with variant_id", {
    details: variants.slice(0, 99).map((v) => ({
      field: "variant_id",
      code: "required",
      message: `${v.id}: ${
        Object.entries(v.options)
          .map(([k, val]) => `${k} ${val}`)
          .join(", ") || "default"
      }, ${v.price ?? productPrice} cents, ${v.stockAvailable} in stock`,
    })),
  });
}
