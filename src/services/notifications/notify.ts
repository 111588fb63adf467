import { and, count, desc, eq, inArray, isNull, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notificationPreferences, notifications } from "../../db/schema/notifications";
import { ApiError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, toPage } from "../../lib/pagination";
import { findUsersByIds } from "../users";
import { channelProvider, PermanentSendError } from "./channels";

/**
 * Notifications: events become notifications by each user's preferences. In-app
 * notifications are stored and shown by GET /notifications; email and SMS go
 * through the NOTIFICATIONS queue to a channel provider, with the send recorded
 * (sent / failed, attempts). Every notification has a dedupe key (its cause and
 * channel), so a redelivered event sends nothing twice.
 */

export const CHANNELS = ["in_app", "email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

export const KINDS = [
  "welcome",
  "order_paid",
  "order_shipped",
  "order_delivered",
  "order_cancelled",
  "refund_issued",
  "back_in_stock",
  "abandoned_cart",
  "promotion",
  "admin_message",
  "account_security",
  "return_update",
  "auction_outbid",
  "auction_won",
] as const;
export type Kind = (typeof KINDS)[number];

/** Channels per kind when the user has not chosen. Promotions are opt-in. */
const DEFAULT_CHANNELS: Record<Kind, Channel[]> = {
  welcome: ["in_app", "email"],
  order_paid: ["in_app", "email"],
  order_shipped: ["in_app", "email"],
  order_delivered: ["in_app", "email"],
  order_cancelled: ["in_app", "email"],
  refund_issued: ["in_app", "email"],
  back_in_stock: ["in_app", "email"],
  abandoned_cart: ["in_app", "email"],
  promotion: [],
  admin_message: ["in_app"],
  // Verification and reset links: always email, never muted (the sender forces the channel).
  account_security: ["email"],
  return_update: ["in_app", "email"],
  auction_outbid: ["in_app", "email"],
  auction_won: ["in_app", "email"],
};

const MAX_SEND_ATTEMPTS = 5;

type NotificationRow = typeof notifications.$inferSelect;

function toNotification(n: NotificationRow) {
  return {
    notification_id: n.id,
    user_id: n.userId,
    type: n.channel,
    kind: n.kind,
    title: n.title,
    body: n.body,
    data: n.data,
    status: n.status,
    read: n.readAt !== null,
    read_at: n.readAt,
    created_at: n.createdAt,
  };
}

export async function preferences(env: Pick<Env, "DB">, userId: string): Promise<Record<Kind, Channel[]>> {
  const rows = await getDb(env)
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
    .all();
  const out = { ...DEFAULT_CHANNELS };
  for (const r of rows)
    if ((KINDS as readonly string[]).includes(r.kind)) out[r.kind as Kind] = r.channels as Channel[];
  return out;
}

export async function setPreferences(env: Pick<Env, "DB">, userId: string, prefs: Partial<Record<Kind, Channel[]>>) {
  const db = getDb(env);
  const entries = Object.entries(prefs).filter(([, v]) => v !== undefined) as [Kind, Channel[]][];
  if (entries.length) {
    await db.batch(
      entries.map(([kind, channels]) =>
        db
          .insert(notificationPreferences)
          .values({ userId, kind, channels: [...new Set(channels)] })
          .onConflictDoUpdate({
            target: [notificationPreferences.userId, notificationPreferences.kind],
            set: { channels: [...new Set(channels)], updatedAt: new Date().toISOString() },
          }),
      ) as unknown as Parameters<typeof db.batch>[0],
    );
  }
  return preferences(env, userId);
}

export interface NotifyInput {
  userId: string;
  kind: Kind;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** The cause, e.g. the event id: with the channel, it makes the notification unique. */
  dedupeKey: string;
  /** Forces the channels (an admin's direct message); otherwise the user's preferences decide. */
  channels?: Channel[];
}

/** Creates the notifications for one cause; returns the ids created now (none for a repeat). */
export async function notify(env: Env, input: NotifyInput): Promise<string[]> {
  return notifyMany(env, [input]);
}

/** Rows per multi-row notifications insert: about 12 bound values a row, under D1's 100. */
const ROWS_PER_INSERT = 8;

/**
 * Notifications for many causes at once (a queue batch of events): every
 * user's preferences in one query, the rows in one D1 batch, the outbound ones
 * in one queue send. Returns the ids created now (none for a repeat).
 */
export async function notifyMany(env: Env, inputs: NotifyInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const db = getDb(env);
  const users = [...new Set(inputs.filter((i) => !i.channels).map((i) => i.userId))];
  const prefs = new Map<string, Record<Kind, Channel[]>>();
  for (let i = 0; i < users.length; i += 90) {
    const rows = await db
      .select()
      .from(notificationPreferences)
      .where(inArray(notificationPreferences.userId, users.slice(i, i + 90)))
      .all();
    for (const r of rows) {
      if (!(KINDS as readonly string[]).includes(r.kind)) continue;
      const mine = prefs.get(r.userId) ?? { ...DEFAULT_CHANNELS };
      mine[r.kind as Kind] = r.channels as Channel[];
      prefs.set(r.userId, mine);
    }
  }
  const rows = inputs.flatMap((input) =>
    (input.channels ?? (prefs.get(input.userId) ?? DEFAULT_CHANNELS)[input.kind]).map((channel) => ({
      id: newId("notification"),
      userId: input.userId,
      kind: input.kind,
      channel,
      title: input.title,
      body: input.body,
      data: input.data ?? {},
      status: channel === "in_app" ? ("sent" as const) : ("pending" as const),
      dedupeKey: `${input.dedupeKey}:${channel}`,
    })),
  );
  if (rows.length === 0) return [];
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    inserts.push(
      db
        .insert(notifications)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing()
        .returning({ id: notifications.id, channel: notifications.channel }),
    );
  }
  const inserted = (await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts])).flat();
  const outbound = inserted.filter((r) => r.channel !== "in_app");
  for (let i = 0; i < outbound.length; i += 100) {
    await env.NOTIFICATIONS.sendBatch(
      outbound.slice(i, i + 100).map((r) => ({ body: { notification_id: r.id }, contentType: "json" as const })),
    );
  }
  return inserted.map((r) => r.id);
}

export type DeliveryOutcome = "sent" | "already_sent" | "retry" | "failed" | "gone";

/**
 * Sends one email or SMS notification (the NOTIFICATIONS queue consumer).
 * Idempotent: a notification already sent is not sent again. `attempt` is the
 * queue's delivery count; the last allowed attempt that fails marks it failed.
 */
/**
 * Sends many queued notifications at once (a notifications queue batch): the
 * rows and their users read in one query each, the messages of each channel
 * sent together where the provider can (the sink: one insert), every status
 * written in one batch. The outcome of each is what `deliver` would say.
 */
export async function deliverMany(
  env: Env,
  list: { id: string; attempt: number }[],
): Promise<Map<string, { outcome: DeliveryOutcome; error?: string }>> {
  const out = new Map<string, { outcome: DeliveryOutcome; error?: string }>();
  const db = getDb(env);
  const rows: (typeof notifications.$inferSelect)[] = [];
  const ids = [...new Set(list.map((l) => l.id))];
  for (let i = 0; i < ids.length; i += 90)
    rows.push(
      ...(await db
        .select()
        .from(notifications)
        .where(inArray(notifications.id, ids.slice(i, i + 90)))
        .all()),
    );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const pending = [];
  for (const l of list) {
    const n = byId.get(l.id);
    if (!n) out.set(l.id, { outcome: "gone" });
    else if (n.status === "sent") out.set(l.id, { outcome: "already_sent" });
    else if (n.status === "failed") out.set(l.id, { outcome: "failed" });
    else if (!out.has(l.id)) pending.push({ n, attempt: l.attempt });
  }
  const people = new Map(
    (
      await findUsersByIds(
        env,
        pending.map((p) => p.n.userId),
      )
    ).map((u) => [u.id, u]),
  );
  const now = new Date().toISOString();
  const updates = [];
  for (const channel of ["email", "sms"] as const) {
    const mine = pending.filter((p) => p.n.channel === channel);
    if (mine.length === 0) continue;
    const provider = channelProvider(env, channel);
    const sendable = [];
    for (const p of mine) {
      const user = people.get(p.n.userId);
      // An email change is confirmed at the new address, which is not yet the user's: the notice names it.
      const override =
        p.n.kind === "account_security" && typeof (p.n.data as { to?: unknown })?.to === "string"
          ? (p.n.data as { to: string }).to
          : null;
      const to = channel === "sms" ? user?.phoneNumber : (override ?? user?.email);
      if (to) sendable.push({ ...p, msg: { channel, to, subject: p.n.title, body: p.n.body, notificationId: p.n.id } });
      else {
        const error = `no ${channel === "sms" ? "phone number" : "email"} on file`;
        out.set(p.n.id, { outcome: "failed", error });
        updates.push(
          db
            .update(notifications)
            .set({ status: "failed", attempts: p.n.attempts + 1, lastError: error, updatedAt: now })
            .where(eq(notifications.id, p.n.id)),
        );
      }
    }
    const results: { p: (typeof sendable)[number]; error?: string; permanent?: boolean }[] = [];
    const failure = (err: unknown) => ({
      error: (err as Error).message.slice(0, 500),
      permanent: err instanceof PermanentSendError,
    });
    if (provider.sendMany) {
      try {
        await provider.sendMany(sendable.map((s) => s.msg));
        for (const p of sendable) results.push({ p });
      } catch (err) {
        for (const p of sendable) results.push({ p, ...failure(err) });
      }
    } else {
      for (const p of sendable) {
        try {
          await provider.send(p.msg);
          results.push({ p });
        } catch (err) {
          results.push({ p, ...failure(err) });
        }
      }
    }
    for (const { p, error, permanent } of results) {
      if (!error) {
        out.set(p.n.id, { outcome: "sent" });
        // A sent verification or reset link is not kept in the notifications table.
        const scrub = p.n.kind === "account_security" ? { body: "(sent)" } : {};
        updates.push(
          db
            .update(notifications)
            .set({ status: "sent", attempts: p.n.attempts + 1, updatedAt: now, ...scrub })
            .where(eq(notifications.id, p.n.id)),
        );
        continue;
      }
      // A refusal for good (a provider's 4xx) is not retried: it fails now and is dead-lettered.
      const last = permanent || p.attempt >= MAX_SEND_ATTEMPTS;
      out.set(p.n.id, { outcome: last ? "failed" : "retry", error });
      updates.push(
        db
          .update(notifications)
          .set({ status: last ? "failed" : "pending", attempts: p.n.attempts + 1, lastError: error, updatedAt: now })
          .where(eq(notifications.id, p.n.id)),
      );
    }
  }
  if (updates.length) await db.batch(updates as [(typeof updates)[number], ...typeof updates]);
  return out;
}

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
