import { Hono } from "hono";
import type { AppEnv } from "../types";

/**
 * The interactive API reference. Its script is Scalar's standalone bundle at a pinned version,
 * loaded with Subresource Integrity, so a changed or compromised CDN file is refused by the browser
 * instead of running on this origin (where it could call the API as the signed-in user). The
 * bundle is started by a same-origin script; the page has no inline script.
 * To upgrade: `npm pack @scalar/api-reference@<v>`, hash dist/browser/standalone.js with
 * `openssl dgst -sha384 -binary | base64`, and change both constants.
 */
export const SCALAR_VERSION = "1.46.4";
export const SCALAR_INTEGRITY = "sha384-BbTs28WithFYxTDCiH0YPK5tv3MflhBVpABoMjfb9UqXa/hegSE9I4THoddKejMF";
const SCALAR_URL = `https://cdn.jsdelivr.net/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/standalone.js`;

// Scalar injects its own stylesheet and fonts at run time, so styles may be inline here (not script).
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self' https://cdn.jsdelivr.net",
  "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com",
  "font-src 'self' data: https://fonts.scalar.com",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Edge Marketplace API</title>
  </head>
  <body>
    <div id="app" data-openapi="/openapi.json"></div>
    <script src="${SCALAR_URL}" integrity="${SCALAR_INTEGRITY}" crossorigin="anonymous"></script>
    <script src="/assets/docs.js"></script>
  </body>
</html>`;

export const docsRoutes = new Hono<AppEnv>().get("/docs", (c) => {
  c.header("Content-Security-Policy", DOCS_CSP);
  return c.html(page);
});
