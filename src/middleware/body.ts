import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../types";

/** Largest request body accepted, in bytes; also enforced on chunked bodies as they stream. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A catalog import (POST /products/bulk, up to 500 products) may be larger. */
const MAX_BULK_BODY_BYTES = 2 * 1024 * 1024;

const limit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError("payload_too_large", `Request body exceeds ${maxSize} bytes`);
    },
  });
const normal = limit(MAX_BODY_BYTES);
const bulk = limit(MAX_BULK_BODY_BYTES);

export const limitBody = createMiddleware<AppEnv>((c, next) =>
  c.req.path === "/products/bulk" ? bulk(c, next) : normal(c, next),
);

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
