import { secureHeaders } from "hono/secure-headers";

/**
 * Every response carries a strict Content-Security-Policy: scripts and styles only from this
 * origin (the storefront has no inline script or style, so no nonce is needed), no framing, no
 * plugins, no <base> rewrites, forms posting only here. Product images may come from any https
 * host. A route that needs another policy (the API reference at /docs) sets its own header first;
 * `overwrite: false` keeps it.
 */
const STORE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "https:", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const securityHeaders = secureHeaders({
  contentSecurityPolicy: STORE_CSP,
  xFrameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
  xContentTypeOptions: "nosniff",
  overwrite: false,
});
