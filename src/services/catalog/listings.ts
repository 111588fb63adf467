import { and, desc, eq, gt, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { products } from "../../db/schema/catalog";
import { type ProductRecord, record, withVariantsJson } from "./product-reads";

/** The home feed's and recommendations' listings of the catalog. */

/** The most popular active products in stock, optionally in some categories or (lower-case) brands. */
export async function popularProducts(
  env: Pick<Env, "DB">,
  limit: number,
  filter?: { categoryIds?: string[]; brands?: string[] },
): Promise<ProductRecord[]> {
  const where = [eq(products.status, "active"), gt(products.stockAvailable, 0)];
  if (filter?.categoryIds?.length) where.push(inArray(products.categoryId, filter.categoryIds));
  if (filter?.brands?.length) where.push(inArray(sql`LOWER(${products.brand})`, filter.brands));
  const rows = await getDb(env)
    .select(withVariantsJson)
    .from(products)
    .where(and(...where))
    .orderBy(desc(products.popularity), desc(products.id))
    .limit(limit)
    .all();
  return rows.map(record);
}

/** Products on sale (below their list price), most popular first, and the newest: the home feed's sections. */
export async function onSaleAndNewest(env: Pick<Env, "DB">, limit: number) {
  const db = getDb(env);
  const live = and(eq(products.status, "active"), gt(products.stockAvailable, 0));
  const [onSale, newest] = await db.batch([
    db
      .select(withVariantsJson)
      .from(products)
      .where(and(live, isNotNull(products.listPrice), lt(products.price, products.listPrice)))
      .orderBy(desc(products.popularity))
      .limit(limit),
    db
      .select(withVariantsJson)
      .from(products)
      .where(live)
      .orderBy(desc(products.createdAt), desc(products.id))
      .limit(limit),
  ]);
  return { onSale: onSale.map(record), newest: newest.map(record) };
}
