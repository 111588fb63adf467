import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { PageQuery } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { VariantId } from "../schemas/attributes";
import { ProductId } from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as wishlist from "../services/wishlist";

/** A buyer's wishlist: what they saved, with back-in-stock alerts for a sold-out variant. */

const wishAdd = createRoute({
  method: "post",
  path: "/wishlist",
  tags: ["Wishlist"],
  summary: "Add a product to your wishlist (you hear when it is back in stock)",
  ...signedIn,
  description:
    "With `variant_id`, the alert is for that variant (a sold-out size); without, for the product as a whole.",
  request: { body: jsonBody(z.strictObject({ product_id: ProductId, variant_id: VariantId.optional() })) },
  responses: {
    201: jsonResponse(
      z.object({ product_id: z.string(), variant_id: z.string().nullable(), product: z.unknown() }),
      "Added",
    ),
    ...errorResponses(400, 401, 404),
  },
});

const wishList = createRoute({
  method: "get",
  path: "/wishlist",
  tags: ["Wishlist"],
  summary: "Your wishlist, newest first",
  ...signedIn,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(z.object({ product_id: z.string(), added_at: z.string(), product: z.unknown() })),
        next_cursor: z.string().nullable(),
      }),
      "Wishlist",
    ),
    ...errorResponses(400, 401),
  },
});

const wishRemove = createRoute({
  method: "delete",
  path: "/wishlist/{product_id}",
  tags: ["Wishlist"],
  summary: "Remove a product from your wishlist",
  ...signedIn,
  request: { params: z.object({ product_id: ProductId.openapi({ param: { name: "product_id", in: "path" } }) }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(401, 404) },
});

export const wishlistRoutes = createRouter()
  .openapi(wishAdd, async (c) => {
    const { product_id, variant_id } = c.req.valid("json");
    return c.json(await wishlist.addToWishlist(c.env, currentUser(c).userId, product_id, variant_id), 201);
  })
  .openapi(wishList, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await wishlist.listWishlist(c.env, currentUser(c).userId, limit, cursor), 200);
  })
  .openapi(wishRemove, async (c) => {
    await wishlist.removeFromWishlist(c.env, currentUser(c).userId, c.req.valid("param").product_id);
    return c.body(null, 204);
  });
