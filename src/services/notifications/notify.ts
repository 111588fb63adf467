import { inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notificationPreferences, notifications } from "../../db/schema/notifications";
import { newId } from "../../lib/ids";
import { type Channel, KINDS, type Kind, DEFAULT_CHANNELS } from "./kinds";

/** Notifying users: one row per channel their preferences choose, written in batches, sent by the queue. */

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
