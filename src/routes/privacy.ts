import { createRoute, z } from "@hono/zod-openapi";
import { assertOwnerOrAdmin, currentUser, signedIn } from "../middleware/auth";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { UserIdParam } from "../schemas/users";
import { eraseUser, exportUserData } from "../services/privacy";

const exportData = createRoute({
  method: "get",
  path: "/users/{user_id}/export",
  tags: ["Privacy"],
  summary: "Download your personal data as JSON (yourself, or an admin)",
  description: "Profile, addresses, orders, refunds, reviews, notifications, preferences, wishlist and wallet.",
  ...signedIn,
  request: { params: UserIdParam },
  responses: {
    200: jsonResponse(
      z.record(z.string(), z.unknown()).openapi("PersonalDataExport"),
      "Everything held about the user",
    ),
    ...errorResponses(401, 404),
  },
});

const erase = createRoute({
  method: "post",
  path: "/users/{user_id}/erase",
  tags: ["Privacy"],
  summary: "Delete your account (yourself with your password, or an admin)",
  description:
    "Personal fields are scrubbed or anonymised across every domain and the analytics warehouse. Orders, refunds and the store-credit " +
    "ledger stay for accounting without the personal data; sessions end; saved payment methods are detached at the provider. An admin's erasure is audited.",
  ...signedIn,
  request: {
    params: UserIdParam,
    body: jsonBody(z.strictObject({ password: z.string().min(1).max(256).optional() }).openapi("EraseRequest")),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          user_id: z.string(),
          erased: z.literal(true),
          orders_kept_without_personal_data: z.number(),
          reviews_removed: z.number(),
          payment_methods_detached: z.number(),
        })
        .openapi("Erasure"),
      "Erased",
    ),
    ...errorResponses(400, 401, 404),
  },
});

export const privacyRoutes = createRouter()
  .openapi(exportData, async (c) => {
    const { user_id } = c.req.valid("param");
    // Another user's data: 404, so that its existence does not leak.
    assertOwnerOrAdmin(c.get("auth"), user_id, "User");
    c.header("Content-Disposition", `attachment; filename="${user_id}-export.json"`);
    c.header("Cache-Control", "no-store");
    return c.json(await exportUserData(c.env, user_id), 200);
  })
  .openapi(erase, async (c) => {
    const { user_id } = c.req.valid("param");
    assertOwnerOrAdmin(c.get("auth"), user_id, "User");
    return c.json(await eraseUser(c.env, currentUser(c), user_id, c.req.valid("json").password), 200);
  });
