import { createRoute, z } from "@hono/zod-openapi";
import { cartRefFor } from "../middleware/cart-ref";
import { createRouter } from "../lib/validation";
import { CartAddBody, CartCouponBody, CartRemoveBody, CartSchema } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { AddressBody, ShippingOptionBody } from "../schemas/shipping";
import * as cart from "../services/cart";

const cartHeader = {
  "X-Cart-Id": {
    description: "The guest cart's id (guests only); send it back on later requests",
    schema: { type: "string" as const },
  },
};
const guestNote =
  "Signed in: the user's cart. Guests: the cart named by `X-Cart-Id`; a response that creates one returns its id in `X-Cart-Id` and `cart_id`.";

const getCart = createRoute({
  method: "get",
  path: "/cart",
  tags: ["Cart"],
  summary: "The cart, priced now",
  description: guestNote,
  responses: { 200: { ...jsonResponse(CartSchema, "The cart"), headers: cartHeader }, ...errorResponses(400) },
});

const add = createRoute({
  method: "post",
  path: "/cart/add",
  tags: ["Cart"],
  summary: "Add units of a product",
  description: `${guestNote} A line holds at most 99 units and no more than the stock.`,
  request: { body: jsonBody(CartAddBody) },
  responses: {
    200: { ...jsonResponse(CartSchema, "The cart"), headers: cartHeader },
    ...errorResponses(400, 404, 409),
  },
});

const remove = createRoute({
  method: "post",
  path: "/cart/remove",
  tags: ["Cart"],
  summary: "Remove units of a product, or its whole line",
  description: guestNote,
  request: { body: jsonBody(CartRemoveBody) },
  responses: { 200: jsonResponse(CartSchema, "The cart"), ...errorResponses(400, 404, 409) },
});

const coupon = createRoute({
  method: "post",
  path: "/cart/coupon",
  tags: ["Cart"],
  summary: "Apply a coupon",
  description:
    "404 for an unknown code; 409 `coupon_not_applicable` (with the reason) when it does not apply to this cart.",
  request: { body: jsonBody(CartCouponBody) },
  responses: { 200: jsonResponse(CartSchema, "The cart with the discount"), ...errorResponses(400, 404, 409) },
});

const shippingAddress = createRoute({
  method: "post",
  path: "/cart/shipping-address",
  tags: ["Cart"],
  summary: "Where the cart ships: the shipping options per seller and the tax there",
  description: `${guestNote} 409 \`not_shippable\` (naming the lines) when a seller does not ship to the address; nothing is saved then.`,
  request: { body: jsonBody(AddressBody) },
  responses: {
    200: { ...jsonResponse(CartSchema, "The cart with shipping_options and tax_total"), headers: cartHeader },
    ...errorResponses(400, 409),
  },
});

const shippingOption = createRoute({
  method: "post",
  path: "/cart/shipping-option",
  tags: ["Cart"],
  summary: "Choose one seller's shipping option",
  request: { body: jsonBody(ShippingOptionBody) },
  responses: { 200: jsonResponse(CartSchema, "The cart"), ...errorResponses(400, 404, 409) },
});

const currency = createRoute({
  method: "post",
  path: "/cart/currency",
  tags: ["Cart"],
  summary: "Show and charge the cart in another currency",
  description: `${guestNote} One of GET /fx-rates; amounts are converted from the store's prices and rounded half up to the currency's minor units (JPY has none).`,
  request: { body: jsonBody(z.strictObject({ currency: z.string().min(3).max(3) }).openapi("CartCurrencyRequest")) },
  responses: {
    200: { ...jsonResponse(CartSchema, "The cart in that currency"), headers: cartHeader },
    ...errorResponses(400, 409),
  },
});

const removeCoupon = createRoute({
  method: "post",
  path: "/cart/coupon/remove",
  tags: ["Cart"],
  summary: "Take a coupon off the cart",
  request: { body: jsonBody(CartCouponBody) },
  responses: { 200: jsonResponse(CartSchema, "The cart"), ...errorResponses(400) },
});

export const cartRoutes = createRouter()
  .openapi(getCart, async (c) => c.json(await cart.getCart(c.env, cartRefFor(c)), 200))
  .openapi(add, async (c) => {
    const { product_id, variant_id, quantity } = c.req.valid("json");
    // A new cart is priced in the shopper's currency, from the country Cloudflare locates the request in.
    const country = (c.req.raw.cf as { country?: string } | undefined)?.country;
    return c.json(await cart.addToCart(c.env, cartRefFor(c), product_id, quantity, variant_id, country), 200);
  })
  .openapi(remove, async (c) => {
    const { product_id, variant_id, quantity } = c.req.valid("json");
    return c.json(await cart.removeFromCart(c.env, cartRefFor(c), product_id, quantity, variant_id), 200);
  })
  .openapi(coupon, async (c) => c.json(await cart.applyCoupon(c.env, cartRefFor(c), c.req.valid("json").code), 200))
  .openapi(shippingAddress, async (c) =>
    c.json(await cart.setShippingAddress(c.env, cartRefFor(c), c.req.valid("json").address), 200),
  )
  .openapi(shippingOption, async (c) => {
    const { seller_id, option_id } = c.req.valid("json");
    return c.json(await cart.chooseShipping(c.env, cartRefFor(c), seller_id, option_id), 200);
  })
  .openapi(currency, async (c) =>
    c.json(await cart.setCurrency(c.env, cartRefFor(c), c.req.valid("json").currency), 200),
  )
  .openapi(removeCoupon, async (c) =>
    c.json(await cart.removeCoupon(c.env, cartRefFor(c), c.req.valid("json").code), 200),
  );
