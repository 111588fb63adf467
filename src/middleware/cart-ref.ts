import type { Context } from "hono";
import { ApiError } from "../lib/errors";
import { newCartId, type CartRef } from "../services/cart";
import type { AppEnv } from "../types";

const CART_ID_PATTERN = /^crt_[0-9A-Z]{26}$/;

/** The X-Cart-Id header if it is a well-formed cart id; a malformed one is a 400 rather than a silent new cart. */
export function guestCartHeader(c: Context<AppEnv>): string | null {
  const raw = c.req.header("X-Cart-Id");
  if (!raw) return null;
  if (!CART_ID_PATTERN.test(raw)) {
    throw new ApiError("validation_failed", "X-Cart-Id is not a cart id", {
      details: [{ field: "X-Cart-Id", code: "invalid_format", message: "expected crt_ followed by 26 characters" }],
    });
  }
  return raw;
}

/**
 * Which cart a request means: the signed-in user's, else the guest cart named by
 * X-Cart-Id, else a new guest cart whose id goes back in the X-Cart-Id header.
 */
export function cartRefFor(c: Context<AppEnv>): CartRef {
  const auth = c.get("auth");
  if (auth) return { userId: auth.userId };
  const guestCartId = guestCartHeader(c) ?? newCartId();
  c.header("X-Cart-Id", guestCartId);
  return { guestCartId };
}
