import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import { verifyAccessToken } from "../services/tokens";
import { bearerAuth } from "../schemas/common";
import type { AppEnv, AuthContext, Role } from "../types";

/**
 * Reads a bearer token if one is sent. A request without one is anonymous;
 * a request with a bad one is refused outright (401), never silently downgraded.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError("unauthenticated", "Authorization must be `Bearer <access_token>`");
    c.set("auth", await verifyAccessToken(c.env, match[1]));
  }
  await next();
});

/** Route guard: any signed-in user. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("auth")) throw new ApiError("unauthenticated", "Sign in to use this endpoint");
  await next();
});

/** Route guard: signed in with one of `roles`. */
function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw new ApiError("unauthenticated", "Sign in to use this endpoint");
    if (!roles.includes(auth.role)) throw new ApiError("forbidden", `Requires role ${roles.join(" or ")}`);
    await next();
  });
}

/** The caller, for handlers behind requireAuth/requireRole. */
export function currentUser(c: { get(key: "auth"): AuthContext | null }): AuthContext {
  const auth = c.get("auth");
  if (!auth) throw new ApiError("unauthenticated", "Sign in to use this endpoint");
  return auth;
}

export function isOwnerOrAdmin(auth: AuthContext | null, ownerId: string): boolean {
  return !!auth && (auth.userId === ownerId || auth.role === "admin");
}

/**
 * Ownership check for a private resource: anyone but its owner or an admin
 * gets a 404, so that the resource's existence does not leak (API.md).
 */
export function assertOwnerOrAdmin(auth: AuthContext | null, ownerId: string, what = "Resource"): void {
  if (!isOwnerOrAdmin(auth, ownerId)) throw new ApiError("not_found", `${what} not found`);
}

/**
 * A route's auth, declared once: spread into `createRoute` so the OpenAPI security annotation and
 * the guard that enforces it cannot disagree (a route cannot document one auth and enforce another).
 */
export const signedIn = { security: bearerAuth, middleware: [requireAuth] as [typeof requireAuth] };
export function allowRoles(...roles: Role[]) {
  const guard = requireRole(...roles);
  return { security: bearerAuth, middleware: [guard] as [typeof guard] };
}
