import { z } from "@hono/zod-openapi";

/** API.md's error object. */
const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
      request_id: z.string().optional(),
    }),
  })
  .openapi("Error");

const errorDescriptions: Record<number, string> = {
  400: "Invalid input (`validation_failed`, with `details` per field)",
  401: "Missing, expired or invalid credentials",
  402: "Payment declined",
  403: "Authenticated but not allowed",
  404: "Not found (also for another user's private resource)",
  409: "Conflict with the current state",
  413: "Body over the size limit",
  415: "Body is not JSON",
  426: "Upgrade required (a WebSocket route called without `Upgrade: websocket`)",
  429: "Rate limited; see `Retry-After`",
};

/** OpenAPI `responses` entries for the given error statuses, all with the Error schema. */
export function errorResponses<S extends keyof typeof errorDescriptions>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof ErrorSchema } } }>;
  for (const s of statuses) {
    out[s] = { description: errorDescriptions[s], content: { "application/json": { schema: ErrorSchema } } };
  }
  return out;
}

export function jsonBody<T extends z.ZodTypeAny>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodTypeAny>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

export const bearerAuth = [{ bearerAuth: [] }];
