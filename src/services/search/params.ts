/** What a search asks (GET /search and the storefront's search page). */
export interface SearchParams {
  q: string;
  category_id?: string;
  brand?: string;
  min_price?: number;
  max_price?: number;
  min_rating?: number;
  in_stock?: boolean;
  sort: "relevance" | "price_asc" | "price_desc" | "rating" | "newest" | "ending_soonest";
  /** Fixed-price listings or auctions only. */
  listing?: "fixed" | "auction";
  limit: number;
  cursor?: string;
  /** Facetable attributes to filter by, name -> values (OR within a name, AND across names). */
  attributes?: Record<string, string[]>;
}
