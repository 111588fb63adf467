import { inArray } from "drizzle-orm";
import { getDb, isUniqueViolation } from "../../db/client";
import { categoryAttributes } from "../../db/schema/catalog";
import { ApiError, type ErrorDetail } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { TtlCache } from "../../lib/ttl-cache";
import type { Attribute, CreateAttributeInput } from "../../schemas/attributes";
import { findCategory } from "./categories";

/**
 * Typed attributes per category (Saleor's product types, kept on the category tree): a category's
 * products carry its own attributes and those of its ancestors. Owns `category_attributes`.
 * Attributes a category does not define stay free-form; the ones it defines are enforced.
 */
export type AttributeRow = typeof categoryAttributes.$inferSelect;

/** Names search already uses for its own parameters: an attribute cannot take them. */
const RESERVED_NAMES = new Set([
  "q",
  "category_id",
  "brand",
  "min_price",
  "max_price",
  "min_rating",
  "in_stock",
  "sort",
  "limit",
  "cursor",
  "price",
  "seller_id",
  "listing",
]);

function toAttribute(r: AttributeRow): Attribute {
  return {
    attribute_id: r.id,
    category_id: r.categoryId,
    name: r.name,
    type: r.type,
    values: r.values,
    unit: r.unit,
    required: r.required,
    variant_option: r.variantOption,
    facet: r.facet,
    created_at: r.createdAt,
  };
}

/** The ids on a category path (`/cat_a/cat_b/`), root first. */
function pathIds(path: string): string[] {
  return path.split("/").filter(Boolean);
}

/** A category's attributes: its ancestors' first (root down), then its own. */
export async function attributesForPath(env: Pick<Env, "DB">, path: string): Promise<AttributeRow[]> {
  const ids = pathIds(path);
  if (ids.length === 0) return [];
  const rows = await getDb(env)
    .select()
    .from(categoryAttributes)
    .where(inArray(categoryAttributes.categoryId, ids))
    .all();
  const depth = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => depth.get(a.categoryId)! - depth.get(b.categoryId)! || (a.id < b.id ? -1 : 1));
}

export async function listAttributes(env: Pick<Env, "DB">, categoryId: string): Promise<Attribute[]> {
  const cat = await findCategory(env, categoryId);
  if (!cat) throw new ApiError("not_found", "Category not found");
  return (await attributesForPath(env, cat.path)).map(toAttribute);
}

export async function createAttribute(
  env: Pick<Env, "DB">,
  categoryId: string,
  input: CreateAttributeInput,
): Promise<Attribute> {
  const cat = await findCategory(env, categoryId);
  if (!cat) throw new ApiError("not_found", "Category not found");
  const field = (f: string, code: string, message: string): never => {
    throw new ApiError("validation_failed", message, { details: [{ field: f, code, message }] });
  };
  const name = input.name;
  if (RESERVED_NAMES.has(name)) field("name", "reserved", `"${name}" is a search parameter; choose another name`);
  if (input.type === "enum" && (!input.values || input.values.length === 0))
    field("values", "required", "an enum attribute lists its values");
  if (input.type !== "enum" && input.values && input.values.length > 0)
    field("values", "not_allowed", "only an enum attribute has values");
  if (input.type !== "number" && input.unit) field("unit", "not_allowed", "only a number attribute has a unit");
  if (input.variant_option && input.type !== "enum" && input.type !== "text")
    field("variant_option", "type", "a variant option is an enum or text");
  // A name is defined once along a path: a subcategory cannot redefine what it inherits, nor an
  // ancestor define what a descendant already has (the descendant's products would see two).
  const inherited = await attributesForPath(env, cat.path);
  if (inherited.some((a) => a.name === name))
    throw new ApiError("conflict", `This category already has an attribute named ${name}`);
  const below = await env.DB.prepare(
    "SELECT 1 FROM category_attributes WHERE name = ? AND category_id IN (SELECT id FROM categories WHERE path > ? AND path < ?) LIMIT 1",
  )
    .bind(name, cat.path, `${cat.path}\uffff`)
    .first();
  if (below) throw new ApiError("conflict", `A subcategory already has an attribute named ${name}`);
  const row: AttributeRow = {
    id: newId("attribute"),
    categoryId,
    name,
    type: input.type,
    values: input.type === "enum" ? [...new Set(input.values)] : [],
    unit: input.unit ?? null,
    required: input.required ?? false,
    variantOption: input.variant_option ?? false,
    facet: input.facet ?? false,
    createdAt: new Date().toISOString(),
  };
  try {
    await getDb(env).insert(categoryAttributes).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError("conflict", `This category already has an attribute named ${name}`);
    throw err;
  }
  facetCache.clear();
  return toAttribute(row);
}

/** Facetable attributes by name (one name may be defined in several categories), cached per isolate for 5 s. */
const facetCache = new TtlCache<Map<string, AttributeRow[]>>(5_000, 1, 1024 * 1024);

export async function facetableAttributes(env: Pick<Env, "DB">): Promise<Map<string, AttributeRow[]>> {
  const hit = facetCache.get("all");
  if (hit) return hit;
  const rows = await getDb(env).select().from(categoryAttributes).all();
  const out = new Map<string, AttributeRow[]>();
  for (const r of rows) if (r.facet) out.set(r.name, [...(out.get(r.name) ?? []), r]);
  facetCache.set("all", out);
  return out;
}

type Value = string | number | boolean | null | (string | number)[];

function checkValue(a: AttributeRow, value: Value, field: string): ErrorDetail | null {
  switch (a.type) {
    case "enum":
      return typeof value === "string" && a.values.includes(value)
        ? null
        : { field, code: "invalid_value", message: `${a.name} must be one of ${a.values.join(", ")}` };
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? null
        : { field, code: "invalid_type", message: `${a.name} is a number${a.unit ? ` (${a.unit})` : ""}` };
    case "boolean":
      return typeof value === "boolean" ? null : { field, code: "invalid_type", message: `${a.name} is true or false` };
    default:
      return typeof value === "string" ? null : { field, code: "invalid_type", message: `${a.name} is text` };
  }
}

/**
 * Checks a product's attributes and its variants' options against its category's schema. A
 * product attribute must not be a variant option (that value belongs to each variant), a
 * required one must be there, and every defined one must have the right type or value. An
 * option a variant gives must be allowed where the category defines it; a required variant
 * option must be on every variant of a product that has variants of its own.
 */
export function validateAgainst(
  schema: AttributeRow[],
  attributes: Record<string, Value>,
  variants: { options: Record<string, string> }[] | null,
  prefix = "",
): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const a of schema) {
    const field = `${prefix}attributes.${a.name}`;
    const value = attributes[a.name];
    if (a.variantOption) {
      if (value !== undefined && value !== null)
        details.push({
          field,
          code: "variant_option",
          message: `${a.name} is chosen per variant (variants[].options.${a.name})`,
        });
      if (!variants) continue;
      variants.forEach((v, i) => {
        const f = `${prefix}variants.${i}.options.${a.name}`;
        const o = v.options[a.name];
        if (o === undefined) {
          if (a.required) details.push({ field: f, code: "required", message: `each variant names its ${a.name}` });
        } else {
          const bad = checkValue(a, o, f);
          if (bad) details.push(bad);
        }
      });
      continue;
    }
    if (value === undefined || value === null) {
      if (a.required) details.push({ field, code: "required", message: `${a.name} is required in this category` });
      continue;
    }
    const bad = checkValue(a, value, field);
    if (bad) details.push(bad);
  }
  return details;
}

export function assertValid(details: ErrorDetail[]): void {
  if (details.length)
    throw new ApiError(
      "validation_failed",
      `Attribute ${details[0].field.split(".").pop()} is not valid here: ${details[0].message}`,
      { details: details.slice(0, 100) },
    );
}
