import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonResponse } from "../schemas/common";

const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ db: z.enum(["ok", "failing"]) }),
    time: z.string(),
  })
  .openapi("Health");

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Meta"],
  summary: "Liveness and D1 connectivity",
  responses: {
    200: jsonResponse(HealthSchema, "Healthy"),
    503: jsonResponse(HealthSchema, "D1 unreachable"),
    // A malformed or expired bearer token is refused on every route, public ones too.
    ...errorResponses(401),
  },
});

export const healthRoutes = createRouter().openapi(health, async (c) => {
  let db: "ok" | "failing" = "ok";
  try {
    await c.env.DB.prepare("SELECT 1").first();
  } catch {
    db = "failing";
  }
  const body = {
    status: db === "ok" ? ("ok" as const) : ("degraded" as const),
    checks: { db },
    time: new Date().toISOString(),
  };
  c.header("Cache-Control", "no-store");
  return db === "ok" ? c.json(body, 200) : c.json(body, 503);
});
