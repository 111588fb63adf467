import { createRoute } from "@hono/zod-openapi";
import { requireAuth, currentUser } from "../middleware/auth";
import { clientIp } from "../middleware/request-context";
import { createRouter } from "../lib/validation";
import { bearerAuth, errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { AuthResultSchema, LoginBody, RefreshBody, SignupBody, TokenPairSchema } from "../schemas/users";
import * as auth from "../services/auth";

const signup = createRoute({
  method: "post",
  path: "/auth/signup",
  tags: ["Auth"],
  summary: "Create a buyer or seller account",
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
  description: "Failed attempts are limited per account and per IP (429 with Retry-After).",
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
  security: bearerAuth,
  middleware: [requireAuth] as const,
  request: { body: jsonBody(RefreshBody) },
  responses: {
    204: { description: "Signed out" },
    ...errorResponses(400, 401),
  },
});

export const authRoutes = createRouter()
  .openapi(signup, async (c) => {
    const result = await auth.signup(c.env, c.req.valid("json"), clientIp(c.req.raw));
    return c.json(result, 201);
  })
  .openapi(login, async (c) => {
    const { email, password } = c.req.valid("json");
    return c.json(await auth.login(c.env, email, password, clientIp(c.req.raw)), 200);
  })
  .openapi(refresh, async (c) => {
    return c.json(await auth.refresh(c.env, c.req.valid("json").refresh_token), 200);
  })
  .openapi(logout, async (c) => {
    await auth.logout(c.env, currentUser(c).userId, c.req.valid("json").refresh_token);
    return c.body(null, 204);
  });
