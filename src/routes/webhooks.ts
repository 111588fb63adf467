import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser } from "../middleware/auth";
import { PageQuery } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as webhooks from "../services/webhooks";

const WebhookParam = z.object({
  webhook_id: z
    .string()
    .regex(/^whk_[0-9A-Za-z]+$/)
    .openapi({ param: { name: "webhook_id", in: "path" } }),
});
const Webhook = z
  .object({
    webhook_id: z.string(),
    url: z.string(),
    active: z.boolean(),
    created_at: z.string().optional(),
    secret: z.string().optional(),
  })
  .openapi("Webhook");

const create = createRoute({
  method: "post",
  path: "/webhooks",
  tags: ["Integrations"],
  summary: "Register a URL for order events about your items (seller)",
  description:
    'Each event is POSTed as JSON with `Marketplace-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body" with the secret>`. ' +
    "The secret is returned once. Failed deliveries retry with backoff; see the delivery log.",
  ...allowRoles("seller", "admin"),
  request: { body: jsonBody(z.strictObject({ url: z.url().max(2048) })) },
  responses: { 201: jsonResponse(Webhook, "Registered (with its secret)"), ...errorResponses(400, 401, 403) },
});

const list = createRoute({
  method: "get",
  path: "/webhooks",
  tags: ["Integrations"],
  summary: "Your webhooks",
  ...allowRoles("seller", "admin"),
  responses: { 200: jsonResponse(z.object({ data: z.array(Webhook) }), "Webhooks"), ...errorResponses(401, 403) },
});

const remove = createRoute({
  method: "delete",
  path: "/webhooks/{webhook_id}",
  tags: ["Integrations"],
  summary: "Disable a webhook",
  ...allowRoles("seller", "admin"),
  request: { params: WebhookParam },
  responses: { 204: { description: "Disabled" }, ...errorResponses(401, 403, 404) },
});

const deliveries = createRoute({
  method: "get",
  path: "/webhooks/{webhook_id}/deliveries",
  tags: ["Integrations"],
  summary: "The delivery log of a webhook, newest first",
  ...allowRoles("seller", "admin"),
  request: { params: WebhookParam, query: PageQuery },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(z.record(z.string(), z.unknown())), next_cursor: z.string().nullable() }),
      "Deliveries",
    ),
    ...errorResponses(400, 401, 403, 404),
  },
});

export const webhookRoutes = createRouter()
  .openapi(create, async (c) =>
    c.json(await webhooks.registerWebhook(c.env, currentUser(c).userId, c.req.valid("json").url), 201),
  )
  .openapi(list, async (c) => c.json({ data: await webhooks.listWebhooks(c.env, currentUser(c).userId) }, 200))
  .openapi(remove, async (c) => {
    await webhooks.deleteWebhook(c.env, currentUser(c).userId, c.req.valid("param").webhook_id);
    return c.body(null, 204);
  })
  .openapi(deliveries, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(
      await webhooks.listDeliveries(c.env, currentUser(c).userId, c.req.valid("param").webhook_id, limit, cursor),
      200,
    );
  });
