import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";

/**
 * Every response carries a strict Content-Security-Policy: scripts and styles only from this
 * origin (the storefront has no inline script or style, so no nonce is needed), no framing, no
 * plugins, no <base> rewrites, forms posting only here. Product images may come from any https
 * host. A route that needs another policy (the API reference at /docs) sets its own header first,
 * and it is kept.
 *
 * The headers hono/secure-headers sent with these options, written after the handler. Each is a
 * native call, and together they are about a tenth of a 404's CPU; hono/secure-headers also asked
 * `has` before each `set`. Only the policy may be set by a route, so only it is asked about: 1-4 µs
 * less a request (docs/performance.md).
 */
const STORE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const ALWAYS: [string, string][] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "DENY"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // Writable here: the CORS middleware, which runs after the handler before this one, copies a
  // response whose headers are immutable (a fetch's).
  const headers = c.res.headers;
  for (const [name, value] of ALWAYS) headers.set(name, value);
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", STORE_CSP);
});
