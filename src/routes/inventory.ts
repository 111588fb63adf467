import { createRoute } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { createRouter } from "../lib/validation";
import {
  BucketsBody,
  BucketsSchema,
  HoldBody,
  HoldParams,
  HoldSchema,
  InventoryAdjustBody,
  ProductIdParam,
  StockSchema,
  VariantQuery,
} from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { assertCanManage, findProduct, readProduct } from "../services/catalog/products";
import { pickVariant } from "../services/catalog/variants";
import * as inventory from "../services/inventory";

const adjust = createRoute({
  method: "post",
  path: "/inventory/{product_id}",
  tags: ["Inventory"],
  summary: "Restock or remove stock (the product's seller or an admin)",
  description:
    "`quantity` is added to what is available; a negative value removes stock but never what checkouts hold (409). " +
    "With an `Idempotency-Key`, a retried request adjusts once.",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(InventoryAdjustBody) },
  responses: { 200: jsonResponse(StockSchema, "Stock after the change"), ...errorResponses(400, 401, 403, 404, 409) },
});

const read = createRoute({
  method: "get",
  path: "/inventory/{product_id}",
  tags: ["Inventory"],
  summary: "Live stock from the inventory object (the product's seller or an admin)",
  ...signedIn,
  request: { params: ProductIdParam, query: VariantQuery },
  responses: { 200: jsonResponse(StockSchema, "Live stock"), ...errorResponses(400, 401, 403, 404) },
});

const buckets = createRoute({
  method: "put",
  path: "/inventory/{product_id}/buckets",
  tags: ["Inventory"],
  summary: "Spread a hot product's stock over bucket objects (the product's seller or an admin)",
  description:
    "For a product whose demand exceeds what one inventory object serialises (a flash sale): reservations are spread over " +
    "`buckets` objects by reservation id, each selling units granted from the product's pool, with the same no-oversell " +
    "guarantee. Unreserved units come back to the pool on every change; holds stay where they are. Idempotent.",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(BucketsBody) },
  responses: { 200: jsonResponse(BucketsSchema, "Stock and bucket count"), ...errorResponses(400, 401, 403, 404) },
});

const hold = createRoute({
  method: "post",
  path: "/inventory/{product_id}/holds",
  tags: ["Inventory"],
  summary: "Hold stock for an offline sale (the product's seller or an admin)",
  description:
    "All-or-nothing; expires after `ttl_seconds` unless committed. A retry with the same `reservation_id` holds once.",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(HoldBody) },
  responses: { 201: jsonResponse(HoldSchema, "Held"), ...errorResponses(400, 401, 403, 404, 409) },
});

const finish = (action: "commit" | "release") =>
  createRoute({
    method: "post",
    path: `/inventory/{product_id}/holds/{reservation_id}/${action}`,
    tags: ["Inventory"],
    summary: action === "commit" ? "Take held stock for good" : "Return held stock",
    description:
      action === "commit" ? "Refused with 409 `reservation_expired` once the hold has expired." : "Idempotent.",
    ...signedIn,
    request: { params: HoldParams, query: VariantQuery },
    responses: { 200: jsonResponse(StockSchema, "Stock after the change"), ...errorResponses(400, 401, 403, 404, 409) },
  });

/** The product's variant the caller may manage: its seller or an admin, the variant named (or the only one). */
async function manageable(env: Env, auth: ReturnType<typeof currentUser>, productId: string, variantId?: string) {
  // The seller of a product never changes, so the display cache is safe for this check.
  let product = await readProduct(env, productId);
  if (!product) throw new ApiError("not_found", "Product not found");
  assertCanManage(auth, product);
  // A variant made moments ago in another isolate may not be in this one's cached copy yet.
  if (variantId && !product.variants.some((v) => v.id === variantId))
    product = (await findProduct(env, productId)) ?? product;
  const variant = pickVariant(product.variants, variantId, product.price);
  return { product_id: productId, variant_id: variant.id };
}

export const inventoryRoutes = createRouter()
  .openapi(adjust, async (c) => {
    const { product_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const ref = await manageable(c.env, currentUser(c), product_id, body.variant_id);
    const key = c.req.header("Idempotency-Key");
    const level = await inventory.adjustStock(
      c.env,
      ref,
      key ? `idem:${currentUser(c).userId}:${key}` : newId("reservation"),
      body.quantity,
    );
    return c.json({ ...ref, stock_available: level.available, reserved: level.reserved }, 200);
  })
  .openapi(buckets, async (c) => {
    const { product_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const ref = await manageable(c.env, currentUser(c), product_id, body.variant_id);
    const level = await inventory.configureBuckets(c.env, ref, body.buckets);
    return c.json({ ...ref, stock_available: level.available, reserved: level.reserved, buckets: level.buckets }, 200);
  })
  .openapi(read, async (c) => {
    const { product_id } = c.req.valid("param");
    const ref = await manageable(c.env, currentUser(c), product_id, c.req.valid("query").variant_id);
    const level = await inventory.getStock(c.env, ref);
    return c.json({ ...ref, stock_available: level.available, reserved: level.reserved }, 200);
  });

for (const action of ["commit", "release"] as const) {
  inventoryRoutes.openapi(finish(action), async (c) => {
    const { product_id, reservation_id } = c.req.valid("param");
    const auth = currentUser(c);
    const ref = await manageable(c.env, auth, product_id, c.req.valid("query").variant_id);
    const level = await inventory.finishHold(c.env, ref, `hold:${auth.userId}:${reservation_id}`, action);
    return c.json({ ...ref, stock_available: level.available, reserved: level.reserved }, 200);
  });
}

inventoryRoutes.openapi(hold, async (c) => {
  const { product_id } = c.req.valid("param");
  const auth = currentUser(c);
  const body = c.req.valid("json");
  const ref = await manageable(c.env, auth, product_id, body.variant_id);
  const id = body.reservation_id ?? newId("reservation");
  // Namespaced by caller, so one seller's ids can never touch another's holds or a checkout's.
  const r = await inventory.holdStock(c.env, ref, `hold:${auth.userId}:${id}`, body.quantity, body.ttl_seconds * 1000);
  return c.json(
    {
      reservation_id: id,
      ...ref,
      quantity: r.quantity,
      state: r.state,
      expires_at: new Date(r.expires_at).toISOString(),
      stock_available: r.available,
      reserved: r.reserved,
    },
    201,
  );
});
