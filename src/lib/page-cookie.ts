import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/**
 * The access token again, for the server-rendered dashboard and account pages (a browser's page
 * GET cannot send an Authorization header). It is set beside the refresh cookie in cookie mode
 * and lives as long as the token it carries.
 *
 * Only page GETs read it (src/routes/dashboard-pages.tsx); the JSON API authenticates by bearer
 * header alone, so a request that carries only this cookie is anonymous there and a cross-site
 * POST gains nothing from it. HttpOnly keeps it from scripts; SameSite=Strict keeps it off every
 * request that another site starts, including top-level navigations.
 */
const PAGE_COOKIE = "mp_page";

export function readPageCookie(c: Context): string | undefined {
  return getCookie(c, PAGE_COOKIE);
}

export function setPageCookie(c: Context, accessToken: string, maxAgeSeconds: number): void {
  setCookie(c, PAGE_COOKIE, accessToken, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: maxAgeSeconds,
  });
}

export function clearPageCookie(c: Context): void {
  deleteCookie(c, PAGE_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
}
