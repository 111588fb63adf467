import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { clearPageCookie, setPageCookie } from "./page-cookie";

/**
 * The storefront keeps its refresh token in an HttpOnly cookie instead of script-readable storage,
 * so a script injected into the page cannot carry the 30-day token away. A browser client opts in
 * per request with `X-Refresh-Cookie: 1`; API clients keep bearer refresh tokens in the body.
 * The cookie is scoped to /auth (only refresh and logout read it), Secure and SameSite=Strict, and
 * POSTs here need a JSON body, so a cross-site form cannot spend it either.
 */
const REFRESH_COOKIE = "mp_refresh";
const MAX_AGE_SECONDS = 30 * 24 * 3600;

export function wantsRefreshCookie(c: Context): boolean {
  return c.req.header("x-refresh-cookie") === "1";
}

export function readRefreshCookie(c: Context): string | undefined {
  return getCookie(c, REFRESH_COOKIE);
}

function setRefreshCookie(c: Context, token: string): void {
  setCookie(c, REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/auth",
    maxAge: MAX_AGE_SECONDS,
  });
}

export function clearRefreshCookie(c: Context): void {
  deleteCookie(c, REFRESH_COOKIE, { path: "/auth", secure: true, httpOnly: true, sameSite: "Strict" });
  clearPageCookie(c);
}

/**
 * In cookie mode the refresh token goes into the cookie and out of the body, and the access token
 * into the page cookie too (src/lib/page-cookie.ts), so the next page is rendered by the server.
 */
export function deliverTokens<T extends { refresh_token: string; access_token: string; expires_in: number }>(
  c: Context,
  result: T,
): T | Omit<T, "refresh_token"> {
  if (!wantsRefreshCookie(c)) return result;
  setRefreshCookie(c, result.refresh_token);
  setPageCookie(c, result.access_token, result.expires_in);
  const { refresh_token: _kept, ...rest } = result;
  return rest;
}
