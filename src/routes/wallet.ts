import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import {
  SaveMethodBody,
  SavedMethodSchema,
  WalletCreditBody,
  WalletEntrySchema,
  WalletSchema,
} from "../schemas/commerce";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { findUserById } from "../services/users";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import * as wallet from "../services/wallet";
import { paymentProvider, ProviderUnavailable } from "../services/payments";

const MethodParam = z.object({
  payment_method_id: z
    .string()
    .regex(/^wpm_[0-9A-Za-z]+$/)
    .openapi({ param: { name: "payment_method_id", in: "path" } }),
});

const get = createRoute({
  method: "get",
  path: "/wallet",
  tags: ["Wallet"],
  summary: "Your store-credit balance and saved payment methods",
  ...signedIn,
  responses: { 200: jsonResponse(WalletSchema, "The wallet"), ...errorResponses(401) },
});

const entries = createRoute({
  method: "get",
  path: "/wallet/entries",
  tags: ["Wallet"],
  summary: "Your store-credit ledger, newest first",
  ...signedIn,
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(WalletEntrySchema, "WalletEntryList"), "Ledger entries"),
    ...errorResponses(400, 401),
  },
});

const save = createRoute({
  method: "post",
  path: "/wallet/payment-methods",
  tags: ["Wallet"],
  summary: "Save a payment method (a provider id such as pm_…, never a card number)",
  ...signedIn,
  request: { body: jsonBody(SaveMethodBody) },
  description:
    "The method is attached to your customer at the provider (a Stripe Customer, made the first time) by a SetupIntent, so it can be charged again off-session. Only the provider's ids and the card's brand, last 4 digits and expiry are kept. A card that cannot be saved is 402.",
  responses: { 201: jsonResponse(SavedMethodSchema, "Saved (shown masked)"), ...errorResponses(400, 401, 402) },
});

const remove = createRoute({
  method: "delete",
  path: "/wallet/payment-methods/{payment_method_id}",
  tags: ["Wallet"],
  summary: "Forget a saved payment method (detached from your customer at the provider)",
  ...signedIn,
  request: { params: MethodParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
});

const credit = createRoute({
  method: "post",
  path: "/wallet/credits",
  tags: ["Wallet"],
  summary: "Grant store credit (admin)",
  ...allowRoles("admin"),
  request: { body: jsonBody(WalletCreditBody) },
  responses: {
    201: jsonResponse(z.object({ user_id: z.string(), balance: z.number().int() }), "New balance"),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const walletRoutes = createRouter()
  .openapi(get, async (c) => {
    const userId = currentUser(c).userId;
    const [balance, methods] = await Promise.all([wallet.balance(c.env, userId), wallet.listMethods(c.env, userId)]);
    return c.json({ balance, currency: "usd", payment_methods: methods }, 200);
  })
  .openapi(entries, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await wallet.listEntries(c.env, currentUser(c).userId, limit, cursor), 200);
  })
  .openapi(save, async (c) => {
    const { payment_method, label } = c.req.valid("json");
    const userId = currentUser(c).userId;
    const provider = paymentProvider(c.env);
    let result: Awaited<ReturnType<typeof provider.saveMethod>>;
    try {
      result = await provider.saveMethod({
        userId,
        customerRef: await wallet.customerOf(c.env, userId),
        paymentMethod: payment_method,
      });
    } catch (err) {
      if (err instanceof ProviderUnavailable)
        throw new ApiError("service_unavailable", "The payment provider is unavailable; nothing was saved");
      throw err;
    }
    if (result.status === "declined") {
      throw new ApiError("payment_declined", result.message, {
        details: [{ field: "payment_method", code: result.code, message: result.message }],
      });
    }
    return c.json(await wallet.saveMethod(c.env, userId, { provider: provider.name, ...result }, label), 201);
  })
  .openapi(remove, async (c) => {
    await wallet.deleteMethod(c.env, currentUser(c).userId, c.req.valid("param").payment_method_id, (ref) =>
      paymentProvider(c.env).detach(ref),
    );
    return c.body(null, 204);
  })
  .openapi(credit, async (c) => {
    const { user_id, amount } = c.req.valid("json");
    if (!(await findUserById(c.env, user_id))) throw new ApiError("not_found", "User not found");
    const key = c.req.header("Idempotency-Key");
    await wallet.credit(c.env, user_id, amount, "admin_credit", key ? `idem:${key}` : newId("walletEntry"));
    return c.json({ user_id, balance: await wallet.balance(c.env, user_id) }, 201);
  });
