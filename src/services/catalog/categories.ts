import { purgeEdgeCache } from "../../lib/edge-cache";
import { and, count, eq, gte, lt, sql } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../../db/client";
import { categories, products } from "../../db/schema/catalog";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { TtlCache } from "../../lib/ttl-cache";
import type { TaxClass } from "../../lib/tax-classes";

/** The category tree: owns the `categories` table. Paths (`/cat_a/cat_b/`) make subtree queries one LIKE. */
export type CategoryRow = typeof categories.$inferSelect;

export interface CategoryOut {
  category_id: string;
  name: string;
  parent_id: string | null;
  depth: number;
  tax_class: TaxClass | null;
  created_at: string;
  updated_at: string;
}
export interface CategoryNodeOut extends CategoryOut {
  children: CategoryNodeOut[];
}

function toCategory(row: CategoryRow): CategoryOut {
  return {
    category_id: row.id,
    name: row.name,
    parent_id: row.parentId,
    depth: row.depth,
    tax_class: row.taxClass ?? null,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export async function findCategory(env: Pick<Env, "DB">, id: string): Promise<CategoryRow | undefined> {
  return getDb(env).select().from(categories).where(eq(categories.id, id)).get();
}

/** The whole tree, roots first, siblings by name. */
export async function categoryTree(env: Pick<Env, "DB">): Promise<CategoryNodeOut[]> {
  const rows = await getDb(env).select().from(categories).orderBy(categories.depth, categories.name).all();
  const nodes = new Map<string, CategoryNodeOut>(rows.map((r) => [r.id, { ...toCategory(r), children: [] }]));
  const roots: CategoryNodeOut[] = [];
  for (const r of rows) {
    const node = nodes.get(r.id)!;
    const parent = r.parentId ? nodes.get(r.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

function parentMissing(): never {
  throw new ApiError("validation_failed", "parent_id names no category", {
    details: [{ field: "parent_id", code: "not_found", message: "No such category" }],
  });
}

function nameTaken(): never {
  throw new ApiError("conflict", "A sibling category already has this name");
}

/** The category tree is cached at the edge for 30 s; every category write purges it here. */
const purgeTree = () => purgeEdgeCache("/categories");

type CategoryInput = { name: string; parent_id?: string | null; tax_class?: TaxClass | null };

export async function createCategory(env: Pick<Env, "DB">, input: CategoryInput): Promise<CategoryOut> {
  try {
    return await createCategoryRow(env, input);
  } finally {
    if (input.tax_class) taxClassCache.clear();
    await purgeTree();
  }
}

async function createCategoryRow(env: Pick<Env, "DB">, input: CategoryInput): Promise<CategoryOut> {
  const parent = input.parent_id ? await findCategory(env, input.parent_id) : undefined;
  if (input.parent_id && !parent) parentMissing();
  const id = newId("category");
  try {
    const row = await getDb(env)
      .insert(categories)
      .values({
        id,
        name: input.name,
        parentId: parent?.id ?? null,
        parentKey: parent?.id ?? "",
        path: `${parent?.path ?? "/"}${id}/`,
        depth: parent ? parent.depth + 1 : 0,
        taxClass: input.tax_class ?? null,
      })
      .returning()
      .get();
    return toCategory(row);
  } catch (err) {
    if (isUniqueViolation(err)) nameTaken();
    throw err;
  }
}

async function productsUnder(env: Pick<Env, "DB">, path: string): Promise<number> {
  const [lo, hi] = subtreeRange(path);
  const row = await getDb(env)
    .select({ n: count() })
    .from(products)
    .where(and(gte(products.categoryPath, lo), lt(products.categoryPath, hi)))
    .get();
  return row?.n ?? 0;
}

/**
 * Renames or moves a category. A move rewrites the paths of the whole subtree,
 * which the products' copied paths would then contradict: so a subtree that
 * holds products (archived ones included) cannot move.
 */
export async function updateCategory(
  env: Pick<Env, "DB">,
  id: string,
  input: Partial<CategoryInput>,
): Promise<CategoryOut> {
  try {
    return await updateCategoryRow(env, id, input);
  } finally {
    if (input.tax_class !== undefined) taxClassCache.clear();
    await purgeTree();
  }
}

async function updateCategoryRow(
  env: Pick<Env, "DB">,
  id: string,
  input: Partial<CategoryInput>,
): Promise<CategoryOut> {
  const cat = await findCategory(env, id);
  if (!cat) throw new ApiError("not_found", "Category not found");
  const db = getDb(env);
  const moving = input.parent_id !== undefined && input.parent_id !== cat.parentId;
  let path = cat.path;
  let depth = cat.depth;
  let parentId = cat.parentId;
  if (moving) {
    const parent = input.parent_id ? await findCategory(env, input.parent_id) : undefined;
    if (input.parent_id && !parent) parentMissing();
    if (parent?.path.startsWith(cat.path)) {
      throw new ApiError("validation_failed", "A category cannot move under itself", {
        details: [{ field: "parent_id", code: "cycle", message: "parent_id is in this category's subtree" }],
      });
    }
    const n = await productsUnder(env, cat.path);
    if (n > 0)
      throw new ApiError("category_in_use", `This category's subtree holds ${n} products; move or archive them first`);
    parentId = parent?.id ?? null;
    path = `${parent?.path ?? "/"}${id}/`;
    depth = parent ? parent.depth + 1 : 0;
  }
  try {
    const now = new Date().toISOString();
    const statements = [
      db
        .update(categories)
        .set({
          name: input.name ?? cat.name,
          parentId,
          parentKey: parentId ?? "",
          path,
          depth,
          taxClass: input.tax_class === undefined ? cat.taxClass : input.tax_class,
          updatedAt: now,
        })
        .where(eq(categories.id, id)),
    ];
    if (moving) {
      statements.push(
        db
          .update(categories)
          .set({
            path: sql`${path} || substr(${categories.path}, ${cat.path.length + 1})`,
            depth: sql`${categories.depth} + ${depth - cat.depth}`,
            updatedAt: now,
          })
          .where(
            and(
              gte(categories.path, subtreeRange(cat.path)[0]),
              lt(categories.path, subtreeRange(cat.path)[1]),
              sql`${categories.id} != ${id}`,
            ),
          ),
      );
    }
    await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  } catch (err) {
    if (isUniqueViolation(err)) nameTaken();
    throw err;
  }
  return toCategory((await findCategory(env, id))!);
}

/** Deletes an empty leaf; a category with children or products is refused with 409. */
export async function deleteCategory(env: Pick<Env, "DB">, id: string): Promise<void> {
  const cat = await findCategory(env, id);
  if (!cat) throw new ApiError("not_found", "Category not found");
  const db = getDb(env);
  const children = await db.select({ n: count() }).from(categories).where(eq(categories.parentId, id)).get();
  if ((children?.n ?? 0) > 0)
    throw new ApiError("category_in_use", "This category has subcategories; delete or move them first");
  const n = await productsUnder(env, cat.path);
  if (n > 0) throw new ApiError("category_in_use", `This category holds ${n} products; move or archive them first`);
  await db.delete(categories).where(eq(categories.id, id));
  await purgeTree();
}

/**
 * Bounds of a subtree as a string range: paths end in '/', and '0' is the
 * next character, so [path, path-with-'0') holds exactly the descendants.
 * (D1 caps LIKE patterns at 50 bytes, which deep paths exceed; a range also
 * uses the index.)
 */
export function subtreeRange(path: string): [string, string] {
  return [path, `${path.slice(0, -1)}0`];
}

/**
 * The categories with a tax class of their own, by id, for 60 s per isolate (a class changes with
 * a ruling, not by the minute; a write in this isolate clears it). The table is small.
 */
const taxClassCache = new TtlCache<Map<string, TaxClass>>(60_000, 1);

/** Each category path's tax class: the nearest category on the path (itself first) that has one; null: the standard rate. */
export async function taxClassesOf(env: Pick<Env, "DB">, paths: string[]): Promise<Map<string, TaxClass | null>> {
  let own = taxClassCache.get("all");
  if (!own) {
    const rows = await getDb(env)
      .select({ id: categories.id, taxClass: categories.taxClass })
      .from(categories)
      .where(sql`${categories.taxClass} IS NOT NULL`)
      .all();
    own = new Map(rows.map((r) => [r.id, r.taxClass!]));
    taxClassCache.set("all", own);
  }
  const out = new Map<string, TaxClass | null>();
  for (const path of paths) {
    const ids = path.split("/").filter(Boolean).reverse();
    out.set(path, ids.map((id) => own.get(id)).find((c) => c !== undefined) ?? null);
  }
  return out;
}
