import type { Context } from "hono";
import { recordView } from "../services/analytics";
import type { AppEnv } from "../types";

/**
 * What a cached answer must still do, so that serving from the edge cache does not lose the
 * facts the handlers record: a product view for the seller's conversion report.
 * (src/lib/edge-cache.ts calls it on a hit.)
 */
export async function countProductView(c: Context<AppEnv>, cached: Response): Promise<void> {
  const p = (await cached.json()) as { product_id: string; seller_id: string };
  await recordView(c.env, {
    view_id: c.get("requestId"),
    product_id: p.product_id,
    seller_id: p.seller_id,
    user_id: null,
    at: new Date().toISOString(),
  });
}
