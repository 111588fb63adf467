import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";

/** Largest request body accepted, in bytes; also enforced on chunked bodies as they stream. */
export const MAX_BODY_BYTES = 64 * 1024;

export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i;

/** A write with a body must say it is JSON, so a form post is a clear 415, not a confusing 400. */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const method = c.req.method;
  if (method === "POST" || method === "PUT" || method === "PATCH") {
    const type = c.req.header("content-type");
    const length = c.req.header("content-length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    if (hasBody && (!type || !JSON_TYPE.test(type))) {
      throw new ApiError("unsupported_media_type", "Send the body as application/json");
    }
  }
  await next();
});
