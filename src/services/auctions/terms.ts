import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auctions } from "../../db/schema/auctions";
import type { AuctionTerms } from "./book";

/** An auction's terms from the row the catalog wrote with its product (null: not an auction). */
export async function loadTerms(env: Pick<Env, "DB">, productId: string): Promise<AuctionTerms | null> {
  const row = await getDb(env).select().from(auctions).where(eq(auctions.productId, productId)).get();
  if (!row) return null;
  return {
    product_id: row.productId,
    seller_id: row.sellerId,
    variant_id: row.variantId,
    name: row.name,
    currency: row.currency,
    start_price: row.startPrice,
    reserve_price: row.reservePrice,
    buy_now_price: row.buyNowPrice,
    ends_at: row.endsAt,
  };
}
