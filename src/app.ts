import { normalizeOperations } from "./lib/openapi-operations";
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { ZodError } from "zod";
import { ApiError, errorBody, type ErrorCode } from "./lib/errors";
import { errorFields, log } from "./lib/logger";
import { validationError } from "./lib/validation";
import { authenticate } from "./middleware/auth";
import { limitBody, requireJsonBody } from "./middleware/body";
import { idempotency } from "./middleware/idempotency";
import { writeLimit } from "./middleware/write-limit";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";
import { corsHeaders } from "./middleware/cors";
import { productionGuard } from "./middleware/production-guard";
import { d1Session } from "./middleware/d1-session";
import { docsRoutes } from "./routes/docs";
import { etag } from "hono/etag";
import { edgeCache } from "./lib/edge-cache";
import { countProductView, productViewFacts } from "./routes/cache-hits";
import { accountRoutes } from "./routes/account";
import { adminRoutes } from "./routes/admin";
import { returnRoutes } from "./routes/returns";
import { sellerMoneyRoutes } from "./routes/seller-money";
import { privacyRoutes } from "./routes/privacy";
import { authRoutes } from "./routes/auth";
import { healthRoutes } from "./routes/health";
import { analyticsRoutes } from "./routes/analytics";
import { cartRoutes } from "./routes/cart";
import { categoryRoutes } from "./routes/categories";
import { variantRoutes } from "./routes/variants";
import { shippingRoutes } from "./routes/shipping";
import { fxRoutes } from "./routes/fx";
import { couponRoutes } from "./routes/coupons";
import { notificationRoutes } from "./routes/notifications";
import { operationsRoutes } from "./routes/operations";
import { wishlistRoutes } from "./routes/wishlist";
import { orderRoutes } from "./routes/orders";
import { recommendationRoutes } from "./routes/recommendations";
import { reviewRoutes } from "./routes/reviews";
import { searchRoutes } from "./routes/search";
import { paymentRoutes } from "./routes/payments";
import { paymentReturnRoutes } from "./routes/payments-return";
import { walletRoutes } from "./routes/wallet";
import { webhookRoutes } from "./routes/webhooks";
import { webRoutes } from "./routes/web";
import { dashboardPages } from "./routes/dashboard-pages";
import { inventoryRoutes } from "./routes/inventory";
import { productRoutes } from "./routes/products";
import { auctionRoutes } from "./routes/auctions";
import { userRoutes } from "./routes/users";
import type { AppEnv } from "./types";

const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: "validation_failed",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use("*", requestContext);
  app.use("*", securityHeaders);
  app.use("*", corsHeaders);
  app.use("*", productionGuard);
  app.use("*", d1Session);
  app.use("*", limitBody);
  app.use("*", requireJsonBody);
  app.use("*", authenticate);
  app.use("*", writeLimit);
  app.use("*", idempotency);

  // Anonymous catalog reads from the data center's cache, with ETags (src/lib/edge-cache.ts).
  // The ETag wraps the cache, so a hit answers If-None-Match with a 304 too.
  // Product pages carry a version ETag from their handler (hashing each body cost ~15% of a read).
  for (const path of ["/categories", "/suggest", "/feed"]) app.use(path, etag({ weak: true }));
  app.use("/products/:product_id", edgeCache({ ttlSeconds: 5, onHit: countProductView, factsOf: productViewFacts }));
  app.use("/categories", edgeCache({ ttlSeconds: 30 }));
  // Not /search: answers may be at most a second old (a new product is searchable within 2 s),
  // so few repeat within the TTL, and a miss paid a cache lookup and a store for nothing (the
  // bench's real query mix at 16 connections: 490 req/s with it, 1,552 without). The isolate (in front of the app:
  // src/middleware/hot-reads.ts, and the search module's result cache) and every shard cache them.
  app.use("/suggest", edgeCache({ ttlSeconds: 30, withQuery: true }));
  app.use("/feed", edgeCache({ ttlSeconds: 5, withQuery: true }));

  app.route("/", healthRoutes);
  app.route("/", authRoutes);
  app.route("/", accountRoutes);
  app.route("/", userRoutes);
  app.route("/", privacyRoutes);
  app.route("/", categoryRoutes);
  app.route("/", productRoutes);
  app.route("/", variantRoutes);
  app.route("/", auctionRoutes);
  app.route("/", inventoryRoutes);
  app.route("/", cartRoutes);
  app.route("/", shippingRoutes);
  app.route("/", fxRoutes);
  app.route("/", couponRoutes);
  app.route("/", orderRoutes);
  app.route("/", paymentRoutes);
  app.route("/", paymentReturnRoutes);
  app.route("/", returnRoutes);
  app.route("/", sellerMoneyRoutes);
  app.route("/", walletRoutes);
  app.route("/", searchRoutes);
  app.route("/", reviewRoutes);
  app.route("/", notificationRoutes);
  app.route("/", wishlistRoutes);
  app.route("/", operationsRoutes);
  app.route("/", analyticsRoutes);
  app.route("/", recommendationRoutes);
  app.route("/", webhookRoutes);
  app.route("/", adminRoutes);
  app.route(
    "/",
    dashboardPages((request, env, ctx) => app.fetch(request, env, ctx)),
  );
  app.route("/", webRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Access token from /auth/signup, /auth/login or /auth/refresh (15 minutes)",
  });
  normalizeOperations(app.openAPIRegistry);
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Edge Marketplace API",
      version: "0.1.0",
      license: { name: "MIT", identifier: "MIT" },
      description:
        "Commerce core on Cloudflare Workers. Errors: `{ error: { code, message, details?, request_id } }`. " +
        "Money is integer minor units. Lists use `limit` (max 100) and `cursor`.",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.route("/", docsRoutes);

  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`, c.get("requestId")), 404),
  );

  app.onError((err, c) => {
    const requestId = c.get("requestId");
    let apiError: ApiError | undefined;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof ZodError) apiError = validationError(err);
    else if (err instanceof HTTPException && err.status < 500) {
      const code = HTTP_EXCEPTION_CODES[err.status] ?? "validation_failed";
      const malformed = /json/i.test(err.message);
      apiError = new ApiError(code, malformed ? "Request body is not valid JSON" : err.message || code, {
        details: malformed ? [{ field: "body", code: "invalid_json", message: err.message }] : undefined,
      });
    }
    if (apiError) {
      for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value);
      return c.json(errorBody(apiError.code, apiError.message, requestId, apiError.details), apiError.status);
    }
    log("error", "unhandled error", {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      ...errorFields(err),
    });
    return c.json(errorBody("internal_error", "Something went wrong on our side", requestId), 500);
  });

  return app;
}
