import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { UserIdParam, UserSchema } from "../schemas/users";
import { audit, listAudit } from "../services/audit";
import { revokeAllSessions } from "../services/auth";
import * as users from "../services/users";
import { setSuspended } from "../services/user-directory";
import { replayDeadLetter, replayDeadLetters } from "../queues/dead-letters";
import { resealUnderCurrentKey } from "../services/operations";

const RoleBody = z.strictObject({ role: z.enum(["buyer", "seller", "admin"]) }).openapi("RoleChange");

const AuditEntrySchema = z
  .object({
    audit_id: z.string(),
    actor_id: z.string(),
    action: z.string(),
    target_type: z.string(),
    target_id: z.string(),
    details: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi("AuditEntry");

const changeRole = createRoute({
  method: "post",
  path: "/admin/users/{user_id}/role",
  tags: ["Admin"],
  summary: "Change a user's role (admin); recorded in the audit log",
  description:
    "The user's sessions end, so the new role applies from their next sign-in (access tokens live 15 minutes). An admin cannot demote themselves.",
  ...allowRoles("admin"),
  request: { params: UserIdParam, body: jsonBody(RoleBody) },
  responses: {
    200: jsonResponse(UserSchema, "The user with the new role"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const SuspensionBody = z
  .strictObject({
    suspended: z.boolean(),
    reason: z.string().trim().min(1).max(500).openapi({ description: "Why: kept in the audit log" }),
  })
  .openapi("SuspensionChange");

const suspension = createRoute({
  method: "post",
  path: "/admin/users/{user_id}/suspension",
  tags: ["Admin"],
  summary: "Suspend or restore an account (admin); recorded in the audit log with the reason",
  description:
    "A suspended account cannot sign in (403 `account_suspended`, told only after the right password) or refresh; its sessions end at once, so an access token it holds lapses within 15 minutes. An admin cannot suspend themselves.",
  ...allowRoles("admin"),
  request: { params: UserIdParam, body: jsonBody(SuspensionBody) },
  responses: {
    200: jsonResponse(UserSchema, "The user"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const auditLog = createRoute({
  method: "get",
  path: "/admin/audit-log",
  tags: ["Admin"],
  summary: "What admins did, newest first (admin; append-only)",
  ...allowRoles("admin"),
  request: { query: PageQuery },
  responses: {
    200: jsonResponse(pageSchema(AuditEntrySchema, "AuditLog"), "A page of audit entries"),
    ...errorResponses(400, 401, 403),
  },
});

const replay = createRoute({
  method: "post",
  path: "/admin/dead-letters/{dead_letter_id}/replay",
  tags: ["Admin"],
  summary: "Send a dead letter back to its queue (admin); recorded in the audit log",
  ...allowRoles("admin"),
  request: {
    params: z.object({
      dead_letter_id: z
        .string()
        .regex(/^dlq_[0-9A-Za-z]+$/)
        .openapi({ param: { name: "dead_letter_id", in: "path" } }),
    }),
  },
  responses: {
    202: jsonResponse(z.object({ queue: z.string(), message_id: z.string() }), "Queued again"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const replayMany = createRoute({
  method: "post",
  path: "/admin/dead-letters/replay",
  tags: ["Admin"],
  summary: "Send every parked dead letter (of one queue, or all) back, up to limit; recorded in the audit log",
  description:
    "Each is replayed once (its replayed_at is set); consumers are idempotent, so a replay of work that meanwhile succeeded does nothing.",
  ...allowRoles("admin"),
  request: {
    body: jsonBody(
      z
        .strictObject({ queue: z.string().max(100).optional(), limit: z.number().int().min(1).max(100).default(100) })
        .openapi("ReplayDeadLetters"),
    ),
  },
  responses: {
    202: jsonResponse(
      z.object({ replayed: z.number().int(), data: z.array(z.object({ queue: z.string(), message_id: z.string() })) }),
      "Queued again",
    ),
    ...errorResponses(400, 401, 403),
  },
});

const reseal = createRoute({
  method: "post",
  path: "/admin/wallet-key/reseal",
  tags: ["Admin"],
  summary: "Re-seal stored secrets under the current WALLET_KEY (after a rotation), a page at a time",
  description:
    "Call until `done`; the 15-minute cron does the same while WALLET_KEY_PREVIOUS is set. Then delete WALLET_KEY_PREVIOUS.",
  ...allowRoles("admin"),
  responses: {
    200: jsonResponse(z.object({ resealed: z.number().int(), done: z.boolean() }), "Progress"),
    ...errorResponses(401, 403),
  },
});

export const adminRoutes = createRouter()
  .openapi(replayMany, async (c) => {
    const { queue, limit } = c.req.valid("json");
    const data = await replayDeadLetters(c.env, { queue, limit });
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: "dead_letter.replayed_many",
      targetType: "queue",
      targetId: queue ?? "*",
      details: { replayed: data.length },
    });
    return c.json({ replayed: data.length, data }, 202);
  })
  .openapi(reseal, async (c) => {
    const progress = await resealUnderCurrentKey(c.env);
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: "wallet_key.resealed",
      targetType: "wallet_key",
      targetId: "current",
      details: progress,
    });
    return c.json(progress, 200);
  })
  .openapi(replay, async (c) => {
    const { dead_letter_id } = c.req.valid("param");
    const done = await replayDeadLetter(c.env, dead_letter_id);
    if (!done) throw new ApiError("not_found", "Dead letter not found, or its queue cannot be replayed to");
    await audit(c.env, {
      actorId: currentUser(c).userId,
      action: "dead_letter.replayed",
      targetType: "dead_letter",
      targetId: dead_letter_id,
      details: done,
    });
    return c.json(done, 202);
  })
  .openapi(changeRole, async (c) => {
    const actor = currentUser(c);
    const { user_id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    const before = await users.findUserById(c.env, user_id);
    if (!before) throw new ApiError("not_found", "User not found");
    if (user_id === actor.userId && role !== "admin")
      throw new ApiError("invalid_state", "An admin cannot demote themselves; ask another admin");
    if (before.role === role) return c.json(users.toUser(before), 200);
    const row = await users.setRole(c.env, user_id, role);
    await revokeAllSessions(c.env, user_id);
    await audit(c.env, {
      actorId: actor.userId,
      action: "user.role_changed",
      targetType: "user",
      targetId: user_id,
      details: { from: before.role, to: role },
    });
    return c.json(users.toUser(row), 200);
  })
  .openapi(suspension, async (c) => {
    const actor = currentUser(c);
    const { user_id } = c.req.valid("param");
    const { suspended, reason } = c.req.valid("json");
    if (user_id === actor.userId) throw new ApiError("invalid_state", "An admin cannot suspend themselves");
    const before = await users.findUserById(c.env, user_id);
    if (!before) throw new ApiError("not_found", "User not found");
    if ((before.suspendedAt !== null) === suspended) return c.json(users.toUser(before), 200);
    const row = await setSuspended(c.env, user_id, suspended ? new Date().toISOString() : null);
    if (!row) throw new ApiError("not_found", "User not found");
    if (suspended) await revokeAllSessions(c.env, user_id);
    await audit(c.env, {
      actorId: actor.userId,
      action: suspended ? "user.suspended" : "user.restored",
      targetType: "user",
      targetId: user_id,
      details: { reason },
    });
    return c.json(users.toUser(row), 200);
  })
  .openapi(auditLog, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listAudit(c.env, limit, cursor), 200);
  });
