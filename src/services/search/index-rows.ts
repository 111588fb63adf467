import { liveAuctionEnds } from "../auctions";
import { activeProductsPage, type CatalogIndexRow, productsToIndex } from "../catalog/index-feed";
import type { ProductForIndex } from "./documents";

/**
 * The rows search indexes: the catalog's products (with their variants), and of auction listings
 * the live auction's end, from the auctions module. Each domain reads its own table.
 */
async function withAuctionEnds(env: Pick<Env, "DB">, rows: CatalogIndexRow[]): Promise<ProductForIndex[]> {
  const lots = rows.filter((r) => r.listing === "auction").map((r) => r.id);
  if (lots.length === 0) return rows;
  const ends = await liveAuctionEnds(env, lots);
  return rows.map((r) => (r.listing === "auction" ? { ...r, ends_at: ends.get(r.id) ?? null } : r));
}

/** These products as they are now (an event's products: whatever their status, so archived ones leave the index). */
export async function rowsToIndex(env: Pick<Env, "DB">, ids: string[]): Promise<ProductForIndex[]> {
  return withAuctionEnds(env, await productsToIndex(env, ids));
}

/** A page of active products in id order, after `after`: a shard fills itself from these. */
export async function activeRowsPage(env: Pick<Env, "DB">, after: string, limit: number): Promise<ProductForIndex[]> {
  return withAuctionEnds(env, await activeProductsPage(env, after, limit));
}
