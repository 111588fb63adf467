import type { Context } from "hono";
import { recordView } from "../services/analytics";
import { recordSearch } from "../services/search";
import type { AppEnv } from "../types";

/**
 * What a cached answer must still do, so that serving from the edge cache does not lose the
 * facts the handlers record: a product view for the seller's conversion report.
 * (src/lib/edge-cache.ts calls it on a hit, with what `productViewFacts` took from the body.)
 */
interface ViewFacts {
  product_id: string;
  seller_id: string;
}

/** Read once per isolate when a product page enters its memo, not parsed again per hit. */
export function productViewFacts(body: string): ViewFacts {
  const p = JSON.parse(body) as ViewFacts;
  return { product_id: p.product_id, seller_id: p.seller_id };
}

export function countProductView(c: Context<AppEnv>, facts: unknown): Promise<void> {
  return countView(c.env, c.get("requestId"), facts);
}

/** The same, for a page answered in front of the app (src/middleware/hot-reads.ts). */
export async function countView(env: Env, requestId: string, facts: unknown): Promise<void> {
  const p = facts as ViewFacts;
  await recordView(env, {
    view_id: requestId,
    product_id: p.product_id,
    seller_id: p.seller_id,
    user_id: null,
    at: new Date().toISOString(),
  });
}

interface SearchFacts {
  q: string;
  total: number;
  /** A later page: the route records only a search's first page. */
  paged: boolean;
}

/** Read once per isolate when a search answer enters the front's memo. */
export function searchFacts(body: string, url: string): SearchFacts {
  const params = new URL(url).searchParams;
  return {
    q: params.get("q") ?? "",
    total: (JSON.parse(body) as { total: number }).total,
    paged: params.has("cursor"),
  };
}

/** A search answered in front of the app still counts for the popular queries, as the route does. */
export async function countSearch(env: Env, _requestId: string, facts: unknown): Promise<void> {
  const f = facts as SearchFacts;
  if (!f.paged) await recordSearch(env, f.q, f.total);
}
