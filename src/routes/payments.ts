import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { PayBody, PaymentSchema, RefundBody, RefundSchema } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { CapturePolicy, capturePolicy, createRefund, listRefunds, setCapturePolicy } from "../services/payments";
import { audit } from "../services/audit";
import { handlePayPalWebhook, handleStripeWebhook, payOrder } from "../services/checkout";
import { openReturnForRefund } from "../services/returns";
import { findOrder } from "../services/orders";
import { ApiError } from "../lib/errors";

/** What both providers' webhook endpoints answer: received, and whether it was a duplicate, moot or parked. */
const WebhookReceived = z.object({
  received: z.literal(true),
  duplicate: z.boolean().optional(),
  ignored: z.boolean().optional(),
  parked: z.boolean().optional(),
});

const pay = createRoute({
  method: "post",
  path: "/payments/pay",
  tags: ["Payments"],
  summary: "Pay an unpaid order (after a decline, or to finish 3-D Secure)",
  description: "One attempt at a time per order (a concurrent one is 409). Use an `Idempotency-Key`.",
  ...signedIn,
  request: { body: jsonBody(PayBody) },
  responses: { 200: jsonResponse(PaymentSchema, "The payment"), ...errorResponses(400, 401, 402, 404, 409) },
});

const refund = createRoute({
  method: "post",
  path: "/payments/refunds",
  tags: ["Payments"],
  summary: "Refund an order: the buyer's (a return, once delivered), a seller's own lines, or an admin's",
  description:
    "Partial or full (`amount` omitted: what is left). Never more than was paid in total (409). " +
    "A buyer before any line shipped: refunded at once. A buyer of a delivered order: a return is opened for the amount and the refund is " +
    "`pending` (with its `return_id`) until the return is received. A seller refunds their own lines; an admin any (audited).",
  ...signedIn,
  request: { body: jsonBody(RefundBody) },
  responses: { 201: jsonResponse(RefundSchema, "The refund"), ...errorResponses(400, 401, 403, 404, 409) },
});

const list = createRoute({
  method: "get",
  path: "/payments/refunds",
  tags: ["Payments"],
  summary: "Your refunds, newest first",
  ...signedIn,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(RefundSchema, "RefundList"), "A page of refunds"),
    ...errorResponses(400, 401),
  },
});

const webhook = createRoute({
  method: "post",
  path: "/payments/webhooks/stripe",
  tags: ["Payments"],
  summary: "Stripe webhook endpoint (signature verified; each event applied once)",
  description:
    "Handles `payment_intent.succeeded`, `.amount_capturable_updated` (an authorisation) and `.payment_failed`, `charge.captured`, `charge.refunded`, `refund.updated`/`.failed` and `charge.dispute.created`/`.closed`. Events that come before what they act on are parked and retried (`parked: true`). Bad or stale signatures are 400.",
  responses: {
    200: jsonResponse(WebhookReceived, "Received"),
    ...errorResponses(400, 404),
  },
});

const paypalWebhook = createRoute({
  method: "post",
  path: "/payments/webhooks/paypal",
  tags: ["Payments"],
  summary: "PayPal webhook endpoint (verified by PayPal's signature check; each event applied once)",
  description:
    "Handles `CHECKOUT.ORDER.APPROVED` (the order is authorised or captured, and paid), `PAYMENT.CAPTURE.REFUNDED` (a refund made at PayPal) and `CUSTOMER.DISPUTE.CREATED`/`RESOLVED`. Unverified events are 400; without PAYPAL_WEBHOOK_ID, 404.",
  responses: {
    200: jsonResponse(WebhookReceived, "Received"),
    ...errorResponses(400, 404),
  },
});

const getPolicy = createRoute({
  method: "get",
  path: "/admin/payments/capture-policy",
  tags: ["Payments"],
  summary: "The capture policy (admin): when card payments are captured, and what happens to an expiring authorisation",
  ...allowRoles("admin"),
  responses: { 200: jsonResponse(CapturePolicy, "The policy"), ...errorResponses(401, 403) },
});

const putPolicy = createRoute({
  method: "put",
  path: "/admin/payments/capture-policy",
  tags: ["Payments"],
  summary: "Set the capture policy (admin, audited)",
  description:
    "`capture`: `on_shipment` (authorise at checkout, capture each seller's share when they ship) or `immediate`. " +
    "`on_expiry`: an authorisation about to lapse (7 days) has its unshipped lines captured (`capture`) or cancelled and let go (`release`), " +
    "`expiry_margin_hours` before it lapses. Give any of the three.",
  ...allowRoles("admin"),
  request: { body: jsonBody(CapturePolicy.partial().strict().openapi("CapturePolicyPatch")) },
  responses: { 200: jsonResponse(CapturePolicy, "The policy"), ...errorResponses(400, 401, 403) },
});

export const paymentRoutes = createRouter()
  .openapi(paypalWebhook, async (c) =>
    c.json(await handlePayPalWebhook(c.env, await c.req.text(), c.req.raw.headers), 200),
  )
  .openapi(getPolicy, async (c) => c.json(await capturePolicy(c.env), 200))
  .openapi(putPolicy, async (c) => {
    const policy = await setCapturePolicy(c.env, c.req.valid("json"));
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: "payments.capture_policy",
      targetType: "platform",
      targetId: "capture_policy",
      details: policy,
    });
    return c.json(policy, 200);
  })
  .openapi(webhook, async (c) =>
    c.json(await handleStripeWebhook(c.env, await c.req.text(), c.req.header("Stripe-Signature")), 200),
  )
  .openapi(pay, async (c) => c.json(await payOrder(c.env, currentUser(c), c.req.valid("json")), 200))
  .openapi(refund, async (c) => {
    const auth = currentUser(c);
    const input = c.req.valid("json");
    const found = await findOrder(c.env, input.order_id);
    if (found && found.order.userId === auth.userId && auth.role !== "admin") {
      const { order, items } = found;
      // Nothing shipped yet: the money goes back at once, as before.
      if (items.every((i) => i.status === "paid"))
        return c.json(await createRefund(c.env, auth, input, { allowStatuses: ["paid"] }), 201);
      // Delivered: the goods come back first (returns.ts).
      if (items.some((i) => i.status === "delivered")) {
        if (input.to_wallet)
          throw new ApiError("validation_failed", "A refund through a return goes to the payment method", {
            details: [{ field: "to_wallet", code: "unsupported", message: "not with a return" }],
          });
        const remaining = order.totalAmount - order.refundedAmount;
        return c.json(
          await openReturnForRefund(c.env, auth, order, items, input.amount ?? remaining, input.reason),
          201,
        );
      }
      throw new ApiError("invalid_state", "The order is on its way: wait for delivery, then return it");
    }
    return c.json(await createRefund(c.env, auth, input), 201);
  })
  .openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listRefunds(c.env, currentUser(c).userId, limit, cursor), 200);
  });
