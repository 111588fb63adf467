import { and, count, desc, eq, inArray, isNull, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notificationPreferences, notifications } from "../../db/schema/notifications";
import { ApiError } from "../../lib/errors";
import { decodeCursor, toPage } from "../../lib/pagination";
import { toNotification } from "./kinds";
import { preferences } from "./preferences";
import { notify } from "./notify";

/** The in-app inbox (list, mark read), promotion broadcasts, and a user's notifications in their export and erasure. */

/** The user's in-app notifications, newest first, with the unread count. */
export async function listInbox(
  env: Pick<Env, "DB">,
  userId: string,
  limit: number,
  cursor?: string,
  unreadOnly = false,
) {
  const where = [eq(notifications.userId, userId), eq(notifications.channel, "in_app")];
  if (unreadOnly) where.push(isNull(notifications.readAt));
  if (cursor) where.push(lt(notifications.id, String(decodeCursor(cursor, 1)[0])));
  const db = getDb(env);
  const [rows, unread] = await db.batch([
    db
      .select()
      .from(notifications)
      .where(and(...where))
      .orderBy(desc(notifications.id))
      .limit(limit + 1),
    db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.channel, "in_app"), isNull(notifications.readAt))),
  ]);
  const page = toPage(rows, limit, (r) => [r.id]);
  return { data: page.data.map(toNotification), next_cursor: page.next_cursor, unread_count: unread[0]?.n ?? 0 };
}

export async function markRead(env: Pick<Env, "DB">, userId: string, ids: string[] | "all") {
  const now = new Date().toISOString();
  const where = [eq(notifications.userId, userId), eq(notifications.channel, "in_app"), isNull(notifications.readAt)];
  if (ids === "all") {
    await getDb(env)
      .update(notifications)
      .set({ readAt: now })
      .where(and(...where));
    return;
  }
  // D1 binds at most 100 values per statement: up to 100 ids and the user go in chunks.
  const owned: string[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await getDb(env)
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), inArray(notifications.id, ids.slice(i, i + 90))))
      .all();
    owned.push(...rows.map((r) => r.id));
  }
  if (owned.length === 0) throw new ApiError("not_found", "Notification not found");
  for (let i = 0; i < owned.length; i += 90) {
    await getDb(env)
      .update(notifications)
      .set({ readAt: now })
      .where(and(...where, inArray(notifications.id, owned.slice(i, i + 90))));
  }
}

/** Admin: sends a promotion to every user who opted in (a cursor over users, in batches). */
export async function broadcastPromotion(env: Env, title: string, body: string, campaignId: string): Promise<number> {
  const rows = await env.DB.prepare(
    "SELECT user_id, channels FROM notification_preferences WHERE kind = 'promotion' AND channels != '[]'",
  ).all<{ user_id: string; channels: string }>();
  let n = 0;
  for (const r of rows.results) {
    const created = await notify(env, {
      userId: r.user_id,
      kind: "promotion",
      title,
      body,
      dedupeKey: `promo:${campaignId}:${r.user_id}`,
    });
    if (created.length) n++;
  }
  return n;
}

/** The data export: every notification of the user (all channels) and their preferences. */
export async function notificationsOf(env: Pick<Env, "DB">, userId: string) {
  const rows = await getDb(env)
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.id))
    .limit(10_000)
    .all();
  return { notifications: rows.map(toNotification), preferences: await preferences(env, userId) };
}

/** Erasure: the user's notifications and preferences go. */
export async function eraseNotificationsOf(env: Pick<Env, "DB">, userId: string): Promise<void> {
  const db = getDb(env);
  await db.batch([
    db.delete(notifications).where(eq(notifications.userId, userId)),
    db.delete(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
  ]);
}
