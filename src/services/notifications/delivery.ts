import { eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notifications } from "../../db/schema/notifications";
import { findUsersByIds } from "../users";
import { channelProvider, PermanentSendError } from "./channels";
import { MAX_SEND_ATTEMPTS } from "./kinds";

/** Sending queued notifications through their channel, each at most once, with bounded retries. */

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
