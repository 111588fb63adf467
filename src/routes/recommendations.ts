import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/validation";
import { ProductIdParam, ProductSchema } from "../schemas/catalog";
import { errorResponses, jsonResponse } from "../schemas/common";
import { findProduct } from "../services/catalog/product-reads";
import { ApiError } from "../lib/errors";
import * as reco from "../services/recommendations";

const Picks = z.object({ data: z.array(z.object({ product: ProductSchema, reason: z.string() })) });
const Limit = z.object({ limit: z.coerce.number().int().min(1).max(50).default(12) });

const relatedRoute = createRoute({
  method: "get",
  path: "/products/{product_id}/related",
  tags: ["Recommendations"],
  summary: "Bought together, viewed together, then popular in the same category",
  request: { params: ProductIdParam, query: Limit },
  responses: { 200: jsonResponse(Picks, "Related products"), ...errorResponses(400, 404) },
});

const forYou = createRoute({
  method: "get",
  path: "/recommendations",
  tags: ["Recommendations"],
  summary:
    "Signed in: picks from your categories and brands; guests: popular. Never what you bought or what is out of stock.",
  request: { query: Limit },
  responses: { 200: jsonResponse(Picks, "Recommendations"), ...errorResponses(400) },
});

const feed = createRoute({
  method: "get",
  path: "/feed",
  tags: ["Recommendations"],
  summary: "The home feed: popular, on sale, new arrivals (and your picks when signed in)",
  request: { query: Limit },
  responses: {
    200: jsonResponse(
      z.object({ sections: z.array(z.object({ key: z.string(), title: z.string(), items: z.array(ProductSchema) })) }),
      "Feed",
    ),
    ...errorResponses(400),
  },
});

export const recommendationRoutes = createRouter()
  .openapi(relatedRoute, async (c) => {
    const { product_id } = c.req.valid("param");
    if (!(await findProduct(c.env, product_id))) throw new ApiError("not_found", "Product not found");
    return c.json(
      { data: await reco.related(c.env, product_id, c.req.valid("query").limit, c.get("auth")?.userId) },
      200,
    );
  })
  .openapi(forYou, async (c) =>
    c.json({ data: await reco.forUser(c.env, c.get("auth")?.userId ?? null, c.req.valid("query").limit) }, 200),
  )
  .openapi(feed, async (c) => {
    const userId = c.get("auth")?.userId ?? null;
    // Guests share one cached feed at the edge; a signed-in feed is personal.
    c.header("Cache-Control", userId ? "private, no-store" : "public, max-age=30");
    return c.json(await reco.homeFeed(c.env, userId, c.req.valid("query").limit), 200);
  });
