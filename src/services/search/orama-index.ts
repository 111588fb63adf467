import { create, type Orama } from "@orama/orama";
import { docTerms, searchTokenizer, type DocTerms, type SearchDoc } from "./documents";
export type { SearchDoc } from "./documents";
import { matchingIndex, type Visitor } from "./matcher";

/**
 * The search index's definition: the fields a product is indexed with, and an
 * Orama instance configured with the shared tokenizer and the matcher. A
 * search shard holds one; the heap bench builds one to weigh it.
 */

const SEARCH_SCHEMA = {
  name: "string",
  description: "string",
  brand: "string",
  brand_key: "enum",
  category_names: "string",
  category_id: "string",
  category_ids: "enum[]",
  seller_id: "enum",
  price: "number",
  rating: "number",
  in_stock: "boolean",
  created_at: "number",
  popularity: "number",
  /** A live auction's end (epoch ms), for "ending soonest"; 0 for a fixed-price listing. */
  ends_at: "number",
  /** Attribute and in-stock variant option values (`a:colour=red`, `s:size=m`): see facetValues. */
  facet_values: "enum[]",
} as const;

export type Db = Orama<typeof SEARCH_SCHEMA>;

/** What ranking and facet counting read per document, kept beside the index (no document fetch per match). */
export interface DocInfo extends DocTerms {
  popularity: number;
  /** The brand as shown (the facet value); DocTerms.brand holds its words. */
  brandName: string;
  category_id: string;
  price: number;
  /** Attribute facet values as shown (name, value). */
  facets: [string, string][];
}

export function docInfo(d: SearchDoc): DocInfo {
  return {
    ...docTerms(d),
    popularity: d.popularity,
    brandName: d.brand,
    category_id: d.category_id,
    price: d.price,
    facets: d.facet_pairs ?? [],
  };
}

export function createIndex(visitor: Visitor): Db {
  return create({
    schema: SEARCH_SCHEMA,
    components: { tokenizer: searchTokenizer, index: matchingIndex(visitor) as never },
  }) as Db;
}
