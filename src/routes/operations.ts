import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles } from "../middleware/auth";
import { config } from "../lib/config";
import { ApiError } from "../lib/errors";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonResponse } from "../schemas/common";
import { listDeadLetters } from "../queues/dead-letters";
import { listSinkMessages } from "../services/notifications";
import { operationalHealth } from "../services/operations";

/** Operating the store: its health, the dead letters, and (locally) the messages the sink kept instead of sending. */

const opsHealth = createRoute({
  method: "get",
  path: "/admin/health",
  tags: ["Admin"],
  summary: "Backlogs, dead letters and stuck work, for operators and alerts (admin)",
  ...allowRoles("admin"),
  responses: {
    200: jsonResponse(z.record(z.string(), z.unknown()), "Operational health"),
    ...errorResponses(401, 403),
  },
});

const deadLetterList = createRoute({
  method: "get",
  path: "/admin/dead-letters",
  tags: ["Admin"],
  summary: "Messages that exhausted their retries (admin)",
  ...allowRoles("admin"),
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: {
    200: jsonResponse(z.object({ data: z.array(z.record(z.string(), z.unknown())) }), "Dead letters"),
    ...errorResponses(401, 403),
  },
});

const sink = createRoute({
  method: "get",
  path: "/dev/messages",
  tags: ["Admin"],
  summary: "The local email/SMS sink (admin; only when EMAIL_PROVIDER or SMS_PROVIDER is sink)",
  ...allowRoles("admin"),
  request: {
    query: z.object({
      recipient: z.string().max(254).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ data: z.array(z.record(z.string(), z.unknown())) }), "Messages"),
    ...errorResponses(401, 403),
  },
});

export const operationsRoutes = createRouter()
  .openapi(opsHealth, async (c) => c.json(await operationalHealth(c.env), 200))
  .openapi(deadLetterList, async (c) => {
    return c.json({ data: await listDeadLetters(c.env, c.req.valid("query").limit) }, 200);
  })
  .openapi(sink, async (c) => {
    const { emailProvider, smsProvider } = config(c.env);
    if (emailProvider !== "sink" && smsProvider !== "sink")
      throw new ApiError("not_found", "No local sink in this environment");
    const { recipient, limit } = c.req.valid("query");
    return c.json({ data: await listSinkMessages(c.env, recipient, limit) }, 200);
  });
