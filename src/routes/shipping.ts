import { createRoute } from "@hono/zod-openapi";
import { allowRoles, currentUser } from "../middleware/auth";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { ShippingProfileBody, ShippingProfileSchema } from "../schemas/shipping";
import { getProfile, putProfile } from "../services/shipping";

const put = createRoute({
  method: "put",
  path: "/seller/shipping-profile",
  tags: ["Shipping"],
  summary: "Replace your shipping zones and rates (seller)",
  description:
    "Zones are countries, optionally narrowed to regions or postal prefixes; the first zone covering an address applies. " +
    "Rates: `flat` per order, `per_item` per unit, `free_over` (`amount` below `threshold` of your subtotal, free from it). " +
    "Each rate gets an `option_id` buyers choose by. Without a profile you ship free everywhere; an address no zone covers is not shippable.",
  ...allowRoles("seller", "admin"),
  request: { body: jsonBody(ShippingProfileBody) },
  responses: { 200: jsonResponse(ShippingProfileSchema, "The profile"), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: "get",
  path: "/seller/shipping-profile",
  tags: ["Shipping"],
  summary: "Your shipping zones and rates (seller)",
  ...allowRoles("seller", "admin"),
  responses: {
    200: jsonResponse(ShippingProfileSchema, "The profile (no zones: free shipping everywhere)"),
    ...errorResponses(401, 403),
  },
});

export const shippingRoutes = createRouter()
  .openapi(put, async (c) => c.json(await putProfile(c.env, currentUser(c).userId, c.req.valid("json").zones), 200))
  .openapi(get, async (c) => c.json(await getProfile(c.env, currentUser(c).userId), 200));
