import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles } from "../middleware/auth";
import { createRouter } from "../lib/validation";
import { MINOR_UNITS } from "../lib/currency";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { listRates, setRates } from "../services/fx";

const Rate = z.object({
  currency: z.string(),
  rate_micro: z.number().int().openapi({ description: "Micro-units of the currency per 1 USD (920000: 0.92)" }),
  source: z.string(),
  updated_at: z.string(),
});
const Currencies = z.enum(Object.keys(MINOR_UNITS) as [keyof typeof MINOR_UNITS, ...(keyof typeof MINOR_UNITS)[]]);

const list = createRoute({
  method: "get",
  path: "/fx-rates",
  tags: ["Currency"],
  summary: "The currencies carts can be shown and charged in, with their exchange rates",
  responses: { 200: jsonResponse(z.object({ data: z.array(Rate) }), "Rates"), ...errorResponses(400) },
});

const put = createRoute({
  method: "put",
  path: "/admin/fx-rates",
  tags: ["Currency"],
  summary: "Set exchange rates (admin)",
  description:
    "Micro-units per 1 USD, integers: `{ rates: { eur: 920000, jpy: 150000000 } }`. The base currency (usd) is 1000000.",
  ...allowRoles("admin"),
  request: {
    body: jsonBody(
      z.strictObject({
        rates: z
          .partialRecord(Currencies, z.number().int().min(1).max(1_000_000_000_000))
          .refine((r) => !("usd" in r) || r.usd === 1_000_000, "usd is the base: 1000000"),
      }),
    ),
  },
  responses: { 200: jsonResponse(z.object({ data: z.array(Rate) }), "Rates"), ...errorResponses(400, 401, 403) },
});

export const fxRoutes = createRouter()
  .openapi(list, async (c) => {
    c.header("Cache-Control", "public, max-age=60");
    return c.json({ data: await listRates(c.env) }, 200);
  })
  .openapi(put, async (c) =>
    c.json({ data: await setRates(c.env, c.req.valid("json").rates as Record<string, number>, "admin") }, 200),
  );
