import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { products } from "../../db/schema/catalog";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import type { Product } from "../../schemas/catalog";
import type { AuthContext } from "../../types";
import { dispatchEvents, outboxInsert } from "../events";
import { setStock } from "../inventory";
import { findCategory, subtreeRange } from "./categories";
import { assertValid, attributesForPath, validateAgainst } from "./attributes";
import {
  findProduct,
  record,
  toProduct,
  withVariantsJson,
  invalidateProduct,
  type ProductRecord,
  type ProductRow,
} from "./product-reads";
import {
  categoryOrFail,
  productEvent,
  type CreateProductInput,
  type AttributeValue,
  cleanPrices,
} from "./product-create";

/**
 * The catalog's products: listing, updating and archiving them; creating them is ./product-create.ts
 * and reading them ./product-reads.ts, both re-exported here.
 */
export * from "./product-reads";
export * from "./product-create";

export interface ListProductsInput {
  category_id?: string;
  seller_id?: string;
  limit: number;
  cursor?: string;
}

/** Active products, newest first (ids are time-sortable, so the id is the sort key and the cursor). */
export async function listProducts(env: Pick<Env, "DB">, q: ListProductsInput) {
  const where: SQL[] = [eq(products.status, "active")];
  if (q.category_id) {
    const cat = await findCategory(env, q.category_id);
    if (!cat) return { data: [], next_cursor: null };
    const [lo, hi] = subtreeRange(cat.path);
    where.push(gte(products.categoryPath, lo), lt(products.categoryPath, hi));
  }
  if (q.seller_id) where.push(eq(products.sellerId, q.seller_id));
  if (q.cursor) where.push(lt(products.id, String(decodeCursor(q.cursor, 1)[0])));
  const rows = await getDb(env)
    .select(withVariantsJson)
    .from(products)
    .where(and(...where))
    .orderBy(desc(products.id))
    .limit(q.limit + 1)
    .all();
  const page = toPage(rows, q.limit, (r) => [r.id]);
  return { data: page.data.map((r) => toProduct(record(r))), next_cursor: page.next_cursor };
}

export type UpdateProductInput = Partial<CreateProductInput> & { status?: "active" | "archived" };

/** Only the product's seller or an admin may change it; anyone else gets 403 (products are public, so 404 would hide nothing). */
export function assertCanManage(auth: AuthContext, row: ProductRow): void {
  if (auth.role !== "admin" && auth.userId !== row.sellerId) {
    throw new ApiError("forbidden", "Only the product's seller or an admin can change it");
  }
}

export async function updateProduct(
  env: Pick<Env, "DB" | "EVENTS" | "INVENTORY">,
  auth: AuthContext,
  id: string,
  input: UpdateProductInput,
  adjustmentId: string = newId("reservation"),
): Promise<Product> {
  const current = await findProduct(env, id);
  if (!current) throw new ApiError("not_found", "Product not found");
  assertCanManage(auth, current);
  // An auction's unit, price and currency are its terms: bidders bid on them.
  const terms = (["price", "prices", "stock_available", "currency", "auction"] as const).filter(
    (f) => input[f] !== undefined,
  );
  if (current.listing === "auction" && terms.length) {
    throw new ApiError("invalid_state", "An auction's price, stock and currency cannot change", {
      details: terms.map((f) => ({ field: f, code: "auction", message: "set by the auction" })),
    });
  }
  if (input.variants !== undefined) {
    throw new ApiError("validation_failed", "variants are added with POST /products/{product_id}/variants", {
      details: [{ field: "variants", code: "not_allowed", message: "use the variants routes" }],
    });
  }
  const cat =
    input.category_id && input.category_id !== current.categoryId
      ? await categoryOrFail(env, input.category_id)
      : undefined;
  if (input.attributes !== undefined || cat) {
    const schema = await attributesForPath(env, (cat ?? { path: current.categoryPath }).path);
    const hasOwnVariants = current.variants.some((v) => Object.keys(v.options).length > 0);
    assertValid(
      validateAgainst(
        schema,
        input.attributes ?? (current.attributes as Record<string, AttributeValue>),
        hasOwnVariants ? current.variants : null,
      ),
    );
  }

  // Stock goes through its Durable Object, the source of truth; the object writes the projection.
  let stock = current.stockAvailable;
  if (input.stock_available !== undefined) {
    if (current.variants.length > 1) {
      throw new ApiError(
        "validation_failed",
        "This product has several variants: set each one's stock with POST /inventory/{product_id} and variant_id",
        {
          details: [{ field: "stock_available", code: "several_variants", message: "stock is per variant" }],
        },
      );
    }
    const only = current.variants[0];
    stock = (
      await setStock(
        env,
        { product_id: id, variant_id: only?.id ?? null },
        `set:${adjustmentId}`,
        input.stock_available,
      )
    ).available;
  }

  const patch: Partial<ProductRow> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  if (input.price !== undefined) patch.price = input.price;
  if (input.list_price !== undefined) patch.listPrice = input.list_price;
  if (input.currency !== undefined) patch.currency = input.currency;
  if (input.brand !== undefined) patch.brand = input.brand;
  if (input.images !== undefined) patch.images = input.images;
  if (input.attributes !== undefined) patch.attributes = input.attributes;
  if (input.prices !== undefined) patch.prices = cleanPrices(input.prices);
  if (input.status !== undefined) patch.status = input.status;
  if (cat) {
    patch.categoryId = cat.id;
    patch.categoryPath = cat.path;
  }
  const db = getDb(env);
  const now = new Date().toISOString();
  const archiving = input.status === "archived" && current.status !== "archived";
  const next: ProductRecord = {
    ...current,
    ...patch,
    stockAvailable: stock,
    version: current.version + 1,
    updatedAt: now,
  };
  const event = productEvent(archiving ? "product.archived" : "product.updated", next);
  await db.batch([
    db
      .update(products)
      .set({ ...patch, version: sql`${products.version} + 1`, updatedAt: now })
      .where(eq(products.id, id)),
    outboxInsert(db, event),
  ]);
  await invalidateProduct(id);
  await dispatchEvents(env, [event]);
  const saved = (await findProduct(env, id))!;
  // The projection may lag the object by a moment; answer with what the object said.
  if (input.stock_available === undefined) return toProduct(saved);
  return toProduct({
    ...saved,
    stockAvailable: stock,
    variants: saved.variants.map((v) => ({ ...v, stockAvailable: stock })),
  });
}

/** Soft delete: the product leaves listings and search; orders that hold it keep their copy. */
export async function archiveProduct(
  env: Pick<Env, "DB" | "EVENTS" | "INVENTORY">,
  auth: AuthContext,
  id: string,
): Promise<Product> {
  return updateProduct(env, auth, id, { status: "archived" });
}
