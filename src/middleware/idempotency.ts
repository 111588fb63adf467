import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import { sha256Hex } from "../lib/crypto";
import {
  abandonIdempotentRequest,
  beginIdempotentRequest,
  completeIdempotentRequest,
  type IdempotentRequest,
} from "../services/idempotency";
import type { AppEnv } from "../types";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Response headers worth replaying; the rest (request id, dates) belong to the new request. */
const REPLAYED_HEADERS = ["content-type", "location", "x-cart-id"];

/**
 * Honours `Idempotency-Key` on every POST/PATCH/DELETE that sends one. Keys are
 * scoped per caller (the user, else the guest cart). Same key and body: the
 * stored response is returned with `Idempotent-Replayed: true`. Same key, other
 * body or route: 409 `idempotency_key_reused`. Same key while the first is still
 * running: 409 `idempotency_request_in_progress`. Server errors (5xx) are not
 * stored, so a retry after one runs again.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined || !["POST", "PATCH", "DELETE"].includes(c.req.method)) return next();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError("validation_failed", "Idempotency-Key must be 1 to 255 visible ASCII characters", {
      details: [{ field: "Idempotency-Key", code: "invalid_string", message: "1 to 255 visible ASCII characters" }],
    });
  }
  // Token-issuing answers are never stored: they would keep tokens in clear for a day, and a
  // replayed refresh would skip the reuse detection.
  if (c.req.path.startsWith("/auth/")) return next();
  const auth = c.get("auth");
  const guestCart = c.req.header("x-cart-id");
  // A guest without a cart cannot be told apart from another guest on the same address, so
  // their keys are not shared: the request simply runs (it moves no money; checkout needs a user).
  if (!auth && !guestCart) return next();
  const caller = auth ? auth.userId : `guest:${guestCart}`;
  const req: IdempotentRequest = {
    caller,
    key,
    method: c.req.method,
    path: c.req.path,
    bodyHash: await sha256Hex(await c.req.text()),
  };

  const begun = await beginIdempotentRequest(c.env, req);
  if (begun.kind === "mismatch") {
    throw new ApiError("idempotency_key_reused", "This Idempotency-Key was used with another request body or route");
  }
  if (begun.kind === "in_progress") {
    throw new ApiError("idempotency_request_in_progress", "A request with this Idempotency-Key is still in progress");
  }
  if (begun.kind === "replay") {
    const headers = new Headers(begun.response.headers);
    headers.set("Idempotent-Replayed", "true");
    c.res = new Response(begun.response.body || null, { status: begun.response.status, headers });
    return;
  }

  try {
    await next();
  } catch (err) {
    await abandonIdempotentRequest(c.env, req);
    throw err;
  }
  const status = c.res.status;
  // 429 and 401 say nothing about the operation; let a later retry run it for real.
  if (status >= 500 || status === 429 || status === 401) {
    await abandonIdempotentRequest(c.env, req);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = c.res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  await completeIdempotentRequest(c.env, req, { status, body: await c.res.clone().text(), headers });
});
