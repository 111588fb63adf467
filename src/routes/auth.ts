import { createRoute } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { clientIp } from "../middleware/request-context";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { AuthResultSchema, LoginBody, RefreshBody, SignupBody, TokenPairSchema } from "../schemas/users";
import * as auth from "../services/auth";
import { sendVerification } from "../services/account";
import { findUserById } from "../services/users";
import { mergeGuestCart } from "../services/cart";
import { guestCartHeader } from "../middleware/cart-ref";
import { errorFields, log } from "../lib/logger";
import { ApiError } from "../lib/errors";
import { clearRefreshCookie, deliverTokens, readRefreshCookie, wantsRefreshCookie } from "../lib/refresh-cookie";
import type { Context } from "hono";

/** The refresh token from the body, else (for a storefront in cookie mode) from the cookie. */
function presentedRefreshToken(c: Context, fromBody: string | undefined): string {
  const token = fromBody ?? (wantsRefreshCookie(c) ? readRefreshCookie(c) : undefined);
  if (token) return token;
  if (wantsRefreshCookie(c)) throw new ApiError("unauthenticated", "No refresh cookie; sign in again");
  throw new ApiError("validation_failed", "Invalid json: refresh_token", {
    details: [{ field: "refresh_token", code: "invalid_type", message: "Required" }],
  });
}

const signup = createRoute({
  method: "post",
  path: "/auth/signup",
  tags: ["Auth"],
  summary: "Create a buyer or seller account",
  description:
    "The first admin is created once: a signup with `X-Admin-Bootstrap: <ADMIN_BOOTSTRAP_TOKEN secret>` while no admin exists. " +
    "A wrong token, or one presented after that, is a 403.",
  request: { body: jsonBody(SignupBody) },
  responses: {
    201: jsonResponse(AuthResultSchema, "Account created; signed in"),
    ...errorResponses(400, 409, 413, 415, 429),
  },
});

const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["Auth"],
  summary: "Exchange email and password for tokens",
  description:
    "Failed attempts are limited per account and per IP (429 with Retry-After). " +
    "With an `X-Cart-Id` header, that guest cart is merged into the user's cart (quantities add, capped by stock).",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: jsonResponse(AuthResultSchema, "Signed in"),
    ...errorResponses(400, 401, 413, 415, 429),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/auth/refresh",
  tags: ["Auth"],
  summary: "Rotate a refresh token for a new token pair",
  description: "The presented token stops working. Presenting a retired token revokes its whole family.",
  request: { body: jsonBody(RefreshBody) },
  responses: {
    200: jsonResponse(TokenPairSchema, "New token pair"),
    ...errorResponses(400, 401),
  },
});

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["Auth"],
  summary: "Revoke a refresh token (and the session it belongs to)",
  ...signedIn,
  request: { body: jsonBody(RefreshBody) },
  responses: {
    204: { description: "Signed out" },
    ...errorResponses(400, 401),
  },
});

/** Login must not fail because a guest cart could not be merged; the guest cart stays intact then. */
async function mergeQuietly(env: Env, guestCartId: string, userId: string): Promise<void> {
  try {
    await mergeGuestCart(env, guestCartId, userId);
  } catch (err) {
    log("warn", "guest cart merge failed", { cart_id: guestCartId, user_id: userId, ...errorFields(err) });
  }
}

export const authRoutes = createRouter()
  .openapi(signup, async (c) => {
    const guestCart = guestCartHeader(c);
    const result = await auth.signup(
      c.env,
      c.req.valid("json"),
      clientIp(c.req.raw),
      c.req.header("x-admin-bootstrap"),
    );
    if (guestCart) await mergeQuietly(c.env, guestCart, result.user.user_id);
    // The address is unproven until the mailed code comes back (POST /auth/email/verify).
    const created = await findUserById(c.env, result.user.user_id);
    if (created) await sendVerification(c.env, created);
    return c.json(deliverTokens(c, result), 201);
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid("json");
    const guestCart = guestCartHeader(c);
    const result = await auth.login(c.env, email, password, clientIp(c.req.raw));
    if (guestCart) await mergeQuietly(c.env, guestCart, result.user.user_id);
    return c.json(deliverTokens(c, result), 200);
  })
  .openapi(refresh, async (c) => {
    try {
      const pair = await auth.refresh(c.env, presentedRefreshToken(c, c.req.valid("json").refresh_token));
      return c.json(deliverTokens(c, pair), 200);
    } catch (err) {
      // A refused refresh ends the browser's session: its page cookie must not render pages after it.
      if (wantsRefreshCookie(c) && err instanceof ApiError && err.status === 401) clearRefreshCookie(c);
      throw err;
    }
  })
  .openapi(logout, async (c) => {
    await auth.logout(c.env, currentUser(c).userId, presentedRefreshToken(c, c.req.valid("json").refresh_token));
    if (wantsRefreshCookie(c)) clearRefreshCookie(c);
    return c.body(null, 204);
  });
