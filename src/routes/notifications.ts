import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, isOwnerOrAdmin, signedIn } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { PageQuery } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { UserId } from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as notifications from "../services/notifications";
import { findUserById } from "../services/users";

const NotificationSchema = z
  .object({
    notification_id: z.string(),
    user_id: z.string(),
    type: z.enum(notifications.CHANNELS),
    kind: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    status: z.string(),
    read: z.boolean(),
    read_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("Notification");
const Channels = z.array(z.enum(notifications.CHANNELS)).max(3);
const Preferences = z.strictObject(
  Object.fromEntries(notifications.KINDS.map((k) => [k, Channels.optional()])) as Record<
    notifications.Kind,
    z.ZodOptional<typeof Channels>
  >,
);
const UserParam = z.object({ user_id: UserId.openapi({ param: { name: "user_id", in: "path" } }) });

const send = createRoute({
  method: "post",
  path: "/notifications",
  tags: ["Notifications"],
  summary: "Send a notification to a user (admin)",
  description: "`type` is the channel. Accepted for delivery (202); email and SMS go through the queue.",
  ...allowRoles("admin"),
  request: {
    body: jsonBody(
      z
        .strictObject({
          user_id: UserId,
          type: z.enum(notifications.CHANNELS),
          title: z.string().trim().min(1).max(200),
          body: z.string().trim().min(1).max(5000),
        })
        .openapi("SendNotificationRequest"),
    ),
  },
  responses: {
    202: jsonResponse(z.object({ notification_ids: z.array(z.string()) }), "Accepted"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const broadcast = createRoute({
  method: "post",
  path: "/notifications/broadcast",
  tags: ["Notifications"],
  summary: "Send a promotion to every user who opted in (admin)",
  ...allowRoles("admin"),
  request: {
    body: jsonBody(
      z.strictObject({ title: z.string().trim().min(1).max(200), body: z.string().trim().min(1).max(5000) }),
    ),
  },
  responses: {
    202: jsonResponse(z.object({ recipients: z.number().int(), campaign_id: z.string() }), "Accepted"),
    ...errorResponses(400, 401, 403),
  },
});

const inbox = createRoute({
  method: "get",
  path: "/notifications",
  tags: ["Notifications"],
  summary: "Your in-app notifications, newest first, with the unread count",
  ...signedIn,
  request: { query: PageQuery.extend({ unread: z.enum(["true", "false"]).optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        data: z.array(NotificationSchema),
        next_cursor: z.string().nullable(),
        unread_count: z.number().int(),
      }),
      "Inbox",
    ),
    ...errorResponses(400, 401),
  },
});

const read = createRoute({
  method: "post",
  path: "/notifications/read",
  tags: ["Notifications"],
  summary: "Mark notifications read (ids, or all)",
  ...signedIn,
  request: {
    body: jsonBody(
      z.strictObject({
        notification_ids: z.array(z.string().max(64)).min(1).max(100).optional(),
        all: z.boolean().optional(),
      }),
    ),
  },
  responses: { 204: { description: "Marked" }, ...errorResponses(400, 401, 404) },
});

const getPrefs = createRoute({
  method: "get",
  path: "/users/{user_id}/notification-preferences",
  tags: ["Notifications"],
  summary: "Channels per notification kind (the user, or an admin)",
  ...signedIn,
  request: { params: UserParam },
  responses: { 200: jsonResponse(z.record(z.string(), Channels), "Preferences"), ...errorResponses(401, 404) },
});

const patchPrefs = createRoute({
  method: "patch",
  path: "/users/{user_id}/notification-preferences",
  tags: ["Notifications"],
  summary: 'Choose channels per kind; `promotion: ["email"]` opts in to promotions',
  ...signedIn,
  request: { params: UserParam, body: jsonBody(Preferences) },
  responses: { 200: jsonResponse(z.record(z.string(), Channels), "Preferences"), ...errorResponses(400, 401, 404) },
});

function ownPrefs(c: { get(k: "auth"): import("../types").AuthContext | null }, userId: string) {
  if (!isOwnerOrAdmin(c.get("auth"), userId)) throw new ApiError("not_found", "User not found");
}

export const notificationRoutes = createRouter()
  .openapi(send, async (c) => {
    const { user_id, type, title, body } = c.req.valid("json");
    if (!(await findUserById(c.env, user_id))) throw new ApiError("not_found", "User not found");
    const ids = await notifications.notify(c.env, {
      userId: user_id,
      kind: "admin_message",
      title,
      body,
      channels: [type],
      dedupeKey: `admin:${newId("notification")}`,
    });
    return c.json({ notification_ids: ids }, 202);
  })
  .openapi(broadcast, async (c) => {
    const { title, body } = c.req.valid("json");
    const campaign = newId("notification");
    return c.json(
      { recipients: await notifications.broadcastPromotion(c.env, title, body, campaign), campaign_id: campaign },
      202,
    );
  })
  .openapi(inbox, async (c) => {
    const { limit, cursor, unread } = c.req.valid("query");
    return c.json(await notifications.listInbox(c.env, currentUser(c).userId, limit, cursor, unread === "true"), 200);
  })
  .openapi(read, async (c) => {
    const { notification_ids, all } = c.req.valid("json");
    if (!all && !notification_ids)
      throw new ApiError("validation_failed", "Give notification_ids or all: true", {
        details: [{ field: "notification_ids", code: "required", message: "required" }],
      });
    await notifications.markRead(c.env, currentUser(c).userId, all ? "all" : notification_ids!);
    return c.body(null, 204);
  })
  .openapi(getPrefs, async (c) => {
    const { user_id } = c.req.valid("param");
    ownPrefs(c, user_id);
    return c.json(await notifications.preferences(c.env, user_id), 200);
  })
  .openapi(patchPrefs, async (c) => {
    const { user_id } = c.req.valid("param");
    ownPrefs(c, user_id);
    return c.json(await notifications.setPreferences(c.env, user_id, c.req.valid("json")), 200);
  });
