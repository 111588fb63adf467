import { Hono } from "hono";
import { z } from "@hono/zod-openapi";
import type { AppEnv } from "../types";
import { findProduct, toProduct } from "../services/catalog/product-reads";
import { listReviews } from "../services/reviews";
import { homeFeed, related } from "../services/recommendations";
import { categoryNames } from "../services/catalog/index-feed";
import { attributeFilters, searchProducts } from "../services/search";
import { HomePage } from "../web/home-page";
import { AppPage, NotFoundPage } from "../web/app-page";
import { ProductPage } from "../web/product-page";
import { SearchPage } from "../web/search-page";

/**
 * The storefront and dashboards, server-rendered with Hono JSX. Catalog pages
 * render from the services directly (fast, cacheable, work without script);
 * pages that need the user's token render in the browser from the JSON API.
 */
const SearchParams = z.object({
  q: z.string().max(200).default(""),
  category_id: z
    .string()
    .regex(/^cat_[0-9A-Za-z]+$/)
    .optional(),
  brand: z.string().max(100).optional(),
  min_price: z.coerce.number().int().min(0).optional(),
  max_price: z.coerce.number().int().min(0).optional(),
  min_rating: z.coerce.number().int().min(1).max(5).optional(),
  in_stock: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  listing: z.enum(["fixed", "auction"]).optional(),
  sort: z.enum(["relevance", "price_asc", "price_desc", "rating", "newest", "ending_soonest"]).default("relevance"),
  cursor: z.string().max(512).optional(),
});

const PAGE_PARAMS = new Set(Object.keys(SearchParams.shape));

export const webRoutes = new Hono<AppEnv>()
  .get("/", (c) => c.redirect("/store"))
  .get("/store", async (c) => {
    const feed = await homeFeed(c.env, null, 8);
    c.header("Cache-Control", "public, max-age=30");
    return c.html(<HomePage sections={feed.sections} />);
  })
  .get("/store/search", async (c) => {
    const parsed = SearchParams.safeParse(c.req.query());
    const params = parsed.success ? parsed.data : SearchParams.parse({});
    // Attribute facets chosen on the page (`size=M,L`); a parameter that names none is ignored here, not an error page.
    const attributes = await attributeFilters(c.env, c.req.queries(), PAGE_PARAMS, { ignoreUnknown: true }).catch(
      () => ({}),
    );
    const result = await searchProducts(c.env, { ...params, attributes, limit: 24 });
    const names = await categoryNames(c.env);
    const shown: Record<string, string> = {};
    for (const [k, v] of Object.entries(c.req.query())) if (typeof v === "string" && v && k !== "cursor") shown[k] = v;
    return c.html(
      <SearchPage
        q={params.q}
        params={shown}
        total={result.total}
        data={result.data}
        facets={result.facets}
        next_cursor={result.next_cursor}
        categoryNames={Object.fromEntries(names)}
      />,
    );
  })
  .get("/store/product/:id", async (c) => {
    const row = await findProduct(c.env, c.req.param("id"));
    if (row?.status !== "active") return c.html(<NotFoundPage what="product" />, 404);
    const [reviews, rel] = await Promise.all([listReviews(c.env, row.id, "newest", 10), related(c.env, row.id, 4)]);
    return c.html(<ProductPage p={toProduct(row)} reviews={reviews} related={rel} />);
  })
  // Where PayPal, a bank or a wallet app sends the buyer back (the checkout's return_url).
  .get("/store/checkout/return", (c) => c.html(<AppPage title="Finishing your payment" page="paymentReturn" />))
  .get("/store/account", (c) => c.html(<AppPage title="Your account" page="account" />))
  .get("/store/verify", (c) => c.html(<AppPage title="Confirm your email" page="verify" />))
  .get("/store/reset", (c) => c.html(<AppPage title="Reset your password" page="reset" />));
// A buyer's orders, notifications and wishlist, the seller dashboard and the admin are
// src/routes/dashboard-pages.tsx (mounted before these).

// Any other address under the pages is a page that does not exist, answered as a page (the API's
// unknown routes keep their JSON 404).
for (const prefix of ["/store/*", "/dashboard/*", "/admin-ui/*"])
  webRoutes.get(prefix, (c) => c.html(<NotFoundPage />, 404));
