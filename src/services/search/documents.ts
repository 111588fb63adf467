export * from "./text";
import { placeOf } from "../../lib/hash";
import type { CatalogIndexRow } from "../catalog/index-feed";

/** A product as one search shard indexes it. */
export interface SearchDoc {
  id: string;
  name: string;
  description: string;
  brand: string;
  brand_key: string;
  category_names: string;
  category_id: string;
  category_ids: string[];
  seller_id: string;
  price: number;
  rating: number;
  in_stock: boolean;
  created_at: number;
  popularity: number;
  ends_at?: number;
  facet_values?: string[];
  /** The facet values as shown, by attribute name (kept beside the index, not indexed). */
  facet_pairs?: [string, string][];
  /** Product version * 1e9 + stock seq: a later write always compares greater. */
  version: number;
}

/**
 * Turning products into search documents, and the pieces both the shards and
 * the merger share: shard assignment by a stable hash, and the tokenizer the
 * merger uses to rank hits the same way whatever the shard count.
 */

/** A catalog row as search indexes it, with a live auction's end (epoch ms; null for a fixed price or an ended auction). */
export type ProductForIndex = CatalogIndexRow & { ends_at?: number | null };

/** What search finds: active products, and of auctions only the live ones (an ended auction cannot be bought). */
export function searchable(p: Pick<ProductForIndex, "status" | "listing" | "ends_at">): boolean {
  return p.status === "active" && (p.listing !== "auction" || !!p.ends_at);
}

/** At most this many facet values per document (a product has a few attributes and a size run). */
const MAX_FACET_VALUES = 60;

/**
 * A product's facet values: `a:name=value` for each scalar attribute, and `s:name=value` for
 * each option of a variant in stock (filtering by size means "I can buy it in M"). Tokens are
 * lower-case for matching; `pairs` keep the values as shown, for facet counts.
 */
function facetValues(p: Pick<ProductForIndex, "attributes" | "variants" | "listing">): {
  tokens: string[];
  pairs: [string, string][];
} {
  const tokens = new Set<string>();
  const pairs: [string, string][] = [];
  const add = (kind: string, name: string, value: string) => {
    const token = `${kind}:${name}=${value.toLowerCase()}`;
    if (tokens.has(token) || tokens.size >= MAX_FACET_VALUES) return;
    tokens.add(token);
    if (!pairs.some(([n, v]) => n === name && v.toLowerCase() === value.toLowerCase())) pairs.push([name, value]);
  };
  const parse = <T>(text: string | null | undefined, fallback: T): T => {
    try {
      return text ? (JSON.parse(text) as T) : fallback;
    } catch {
      return fallback;
    }
  };
  for (const [name, value] of Object.entries(parse<Record<string, unknown>>(p.attributes, {}))) {
    if (
      typeof value === "string"
        ? value.length > 0 && value.length <= 60
        : typeof value === "number" || typeof value === "boolean"
    )
      add("a", name, String(value));
  }
  // How it is sold: a facet of every product, `l:listing=auction` (the name is reserved for attributes).
  add("l", "listing", p.listing ?? "fixed");
  for (const v of parse<{ o: Record<string, string>; s: number }[]>(p.variants, [])) {
    if (!(v.s > 0)) continue;
    for (const [name, value] of Object.entries(v.o ?? {})) if (typeof value === "string") add("s", name, value);
  }
  return { tokens: [...tokens], pairs };
}

/** The token of the listing filter (`?listing=auction`). */
export const listingToken = (listing: string) => `l:listing=${listing}`;

/** The tokens a filter value matches: a product attribute, or an option of a variant in stock. */
export function filterTokens(name: string, values: string[]): string[] {
  return values.flatMap((v) => [`a:${name}=${v.toLowerCase()}`, `s:${name}=${v.toLowerCase()}`]);
}

/** A product's search shard for a given count (FNV-1a of its id: it never moves while the count is unchanged). */
export function shardOf(productId: string, shards: number): number {
  return placeOf(productId, shards);
}

/**
 * Product version, then stock seq, then whether an auction has ended: a later state always compares
 * greater (an auction's end changes neither the product nor, when unsold, its stock, yet takes it out).
 */
function docVersion(p: { version: number; stock_version: number; listing?: string; ends_at?: number | null }): number {
  return p.version * 1_000_000_000 + p.stock_version * 2 + (p.listing === "auction" && !p.ends_at ? 1 : 0);
}

export function toSearchDoc(p: ProductForIndex, categoryNames: Map<string, string>): SearchDoc {
  const ids = p.category_path.split("/").filter(Boolean);
  const facets = facetValues(p);
  return {
    id: p.id,
    name: p.name,
    description: p.description.slice(0, 2000),
    brand: p.brand ?? "",
    brand_key: (p.brand ?? "").toLowerCase(),
    category_names: ids.map((id) => categoryNames.get(id) ?? "").join(" "),
    category_id: p.category_id,
    category_ids: ids,
    seller_id: p.seller_id,
    price: p.price,
    rating: p.rating_average,
    in_stock: p.stock_available > 0,
    created_at: Date.parse(p.created_at) || 0,
    popularity: p.popularity,
    ends_at: p.ends_at ?? 0,
    facet_values: facets.tokens,
    facet_pairs: facets.pairs,
    version: docVersion(p),
  };
}
