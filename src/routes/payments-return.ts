import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { config } from "../lib/config";
import { ApiError } from "../lib/errors";
import { createRouter } from "../lib/validation";
import { OrderSchema, PaymentReturnBody } from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { returnFromProvider } from "../services/checkout";
import { decideTestRedirect } from "../services/payments";

/** Coming back from a redirect payment method, and the test provider's stand-in for a bank. */

const back = createRoute({
  method: "post",
  path: "/payments/return",
  tags: ["Payments"],
  summary: "The buyer is back from their bank, wallet or PayPal: settle the order's pending payment",
  description:
    "Asks the provider where the payment stands. Paid: the order is `paid`. Declined at the bank: 402, the stock is let go and the order can be paid again. " +
    "Still waiting: the order as it is. The provider's webhook settles the same payment too; whichever comes first wins, the other changes nothing.",
  ...signedIn,
  request: { body: jsonBody(PaymentReturnBody) },
  responses: { 200: jsonResponse(OrderSchema, "The order"), ...errorResponses(400, 401, 402, 404, 409) },
});

const bank = createRoute({
  method: "get",
  path: "/payments/test-provider/authorize/{ref}",
  tags: ["Payments"],
  summary: "The test provider's bank page (PAYMENT_PROVIDER=test only): approve or decline a redirect payment",
  description:
    "The `next_action.url` of a `pm_test_redirect_bank` or `pm_test_wallet_app` payment. With `decision`, sends the buyer back to the checkout's `return_url` with `payment_ref` and `redirect_status`; without, a page with both choices.",
  request: {
    params: z.object({
      ref: z
        .string()
        .regex(/^pi_test_[a-f0-9]{24}$/)
        .openapi({ param: { name: "ref", in: "path" } }),
    }),
    query: z.object({ decision: z.enum(["approve", "decline"]).optional() }),
  },
  responses: {
    200: { description: "The bank page", content: { "text/html": { schema: z.string() } } },
    302: { description: "Back to the store's return_url" },
    ...errorResponses(400, 404),
  },
});

export const paymentReturnRoutes = createRouter()
  .openapi(back, async (c) =>
    c.json(await returnFromProvider(c.env, currentUser(c), c.req.valid("json").order_id), 200),
  )
  .openapi(bank, async (c) => {
    if (config(c.env).paymentProvider !== "test") throw new ApiError("not_found", "Not found");
    const { ref } = c.req.valid("param");
    const { decision } = c.req.valid("query");
    if (!decision) {
      const here = `/payments/test-provider/authorize/${ref}`;
      return c.html(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test bank</title></head><body><main><h1>Test bank</h1><p>Approve this payment?</p><p><a id="approve" href="${here}?decision=approve">Approve</a> <a id="decline" href="${here}?decision=decline">Decline</a></p></main></body></html>`,
        200,
      );
    }
    // Back only to the return_url the checkout gave (kept by the provider), never to one from the query.
    const to = decideTestRedirect(ref, decision === "approve");
    if (!to) throw new ApiError("not_found", "No payment awaits this decision");
    return c.redirect(to, 302);
  });
