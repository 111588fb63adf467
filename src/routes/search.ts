import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles } from "../middleware/auth";
import { PageQuery } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { CategoryId, ProductSchema } from "../schemas/catalog";
import { errorResponses, jsonResponse } from "../schemas/common";
import * as search from "../services/search";

const Bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1")
  .openapi({ type: "boolean" });
const Cents = z.coerce.number().int("a price is integer cents").min(0).max(10_000_000_000);

const SearchQuery = PageQuery.extend({
  q: z
    .string()
    .max(200)
    .default("")
    .openapi({ description: "Words to find; empty browses by the filters", example: "samsung galaxy" }),
  category_id: CategoryId.optional().openapi({ description: "Includes its subcategories" }),
  brand: z.string().trim().min(1).max(100).optional(),
  min_price: Cents.optional(),
  max_price: Cents.optional(),
  min_rating: z.coerce.number().min(0).max(5).optional(),
  in_stock: Bool.optional(),
  listing: z
    .enum(["fixed", "auction"])
    .optional()
    .openapi({ description: "Fixed-price listings or live auctions only" }),
  sort: z
    .enum(["relevance", "price_asc", "price_desc", "rating", "newest", "ending_soonest"])
    .default("relevance")
    .openapi({ description: "`ending_soonest`: live auctions, the nearest end first" }),
});

/** Search's own parameters; any other names a facetable attribute. */
const SEARCH_PARAMS = new Set(Object.keys(SearchQuery.shape));

const Hit = ProductSchema.omit({ variants: true })
  .extend({
    matching_variants: z
      .array(z.object({ variant_id: z.string(), options: z.record(z.string(), z.string()), in_stock: z.boolean() }))
      .openapi({
        description:
          "The variants matching the attribute filters (all of them without one), and whether each is in stock; the product page lists them in full",
      }),
    score: z.number(),
    highlights: z.object({ name: z.string().openapi({ description: "The name with matched words in <mark>" }) }),
  })
  .openapi("SearchHit");

const searchRoute = createRoute({
  method: "get",
  path: "/search",
  tags: ["Search"],
  summary: "Full-text product search with filters, facets and typo tolerance",
  description:
    "All words must match first; then one typo per word of 5+ letters; then any word. Facets count what the filters leave. " +
    "Prices are cents. Any facetable attribute filters too, by its name: `?size=M&colour=Red`; `size=M,L` is either. " +
    "A filter on a variant option (size) matches products with such a variant in stock.",
  request: { query: SearchQuery },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(Hit),
        total: z.number().int(),
        facets: z
          .object({
            brand: z.record(z.string(), z.number()),
            category_id: z.record(z.string(), z.number()),
            price_range: z.record(z.string(), z.number()),
          })
          .catchall(z.record(z.string(), z.number()))
          .openapi({
            description:
              "Counts per value of brand, category, price range, and one key per facetable attribute (`size`, `colour`)",
          }),
        next_cursor: z.string().nullable(),
      }),
      "Results",
    ),
    ...errorResponses(400),
  },
});

const suggestRoute = createRoute({
  method: "get",
  path: "/suggest",
  tags: ["Search"],
  summary: "Autocomplete: popular queries, then product names",
  request: {
    query: z.object({
      prefix: z.string().trim().min(1).max(100),
      limit: z.coerce.number().int().min(1).max(20).default(8),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(z.object({ text: z.string(), product_id: z.string().optional() })) }),
      "Completions",
    ),
    ...errorResponses(400),
  },
});

const reindexRoute = createRoute({
  method: "post",
  path: "/search/reindex",
  tags: ["Search"],
  summary: "Rebuild every search shard from D1 (admin)",
  ...allowRoles("admin"),
  responses: {
    200: jsonResponse(z.object({ shards: z.number().int(), documents: z.number().int() }), "Rebuilt"),
    ...errorResponses(401, 403),
  },
});

const statsRoute = createRoute({
  method: "get",
  path: "/search/stats",
  tags: ["Search"],
  summary: "Per-shard document counts and snapshot sizes; `reload=true` times a restore (admin)",
  ...allowRoles("admin"),
  request: { query: z.object({ reload: Bool.optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(
          z.object({
            shard: z.number().int(),
            documents: z.number().int(),
            snapshot_bytes: z.number().int(),
            snapshot_chunks: z.number().int(),
            restore_ms: z.number().nullable(),
            cached_answers: z.number().int().openapi({ description: "Query answers this shard holds in memory" }),
            warming: z
              .boolean()
              .openapi({ description: "Still answering popular queries ahead of demand after a start" }),
          }),
        ),
      }),
      "Shards",
    ),
    ...errorResponses(400, 401, 403),
  },
});

export const searchRoutes = createRouter()
  .openapi(statsRoute, async (c) =>
    c.json({ data: await search.shardStats(c.env, c.req.valid("query").reload ?? false) }, 200),
  )
  .openapi(searchRoute, async (c) => {
    const params = c.req.valid("query");
    const attributes = await search.attributeFilters(c.env, c.req.queries(), SEARCH_PARAMS);
    const result = await search.searchProducts(c.env, { ...params, attributes });
    if (!params.cursor) await search.recordSearch(c.env, params.q, result.total);
    c.header("Cache-Control", "public, max-age=5");
    return c.json(result, 200);
  })
  .openapi(suggestRoute, async (c) => {
    const { prefix, limit } = c.req.valid("query");
    c.header("Cache-Control", "public, max-age=30");
    return c.json({ data: await search.suggest(c.env, prefix, limit) }, 200);
  })
  .openapi(reindexRoute, async (c) => c.json(await search.reindexAll(c.env), 200));
