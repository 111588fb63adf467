import { and, asc, eq, lte, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { parkedWebhookEvents } from "../../db/schema/payments";
import { log } from "../../lib/logger";

/**
 * Provider webhook events that came before what they act on (a refund before its payment
 * settled, a dispute's close before its opening). The webhook answers 200 and keeps them here; the
 * cron retries each with a doubling delay (30 s up to an hour), and after a day's worth of tries
 * marks it dead and logs an error for an operator. Nothing is dropped.
 */

const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3_600_000;
const MAX_PARKED_ATTEMPTS = 30;

export type ParkedEvent = typeof parkedWebhookEvents.$inferSelect;

const delay = (attempts: number) => Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));

export async function parkWebhookEvent(
  env: Pick<Env, "DB">,
  e: { id: string; provider: string; type: string; payload: string; reason: string },
  now = Date.now(),
): Promise<void> {
  await getDb(env)
    .insert(parkedWebhookEvents)
    .values({ ...e, attempts: 1, nextAttemptAt: now + delay(1) })
    .onConflictDoNothing();
}

/** Parked events due for another try, oldest first. */
export async function dueParkedEvents(env: Pick<Env, "DB">, now = Date.now(), limit = 50): Promise<ParkedEvent[]> {
  return getDb(env)
    .select()
    .from(parkedWebhookEvents)
    .where(and(eq(parkedWebhookEvents.status, "parked"), lte(parkedWebhookEvents.nextAttemptAt, now)))
    .orderBy(asc(parkedWebhookEvents.nextAttemptAt))
    .limit(limit)
    .all();
}

/** The outcome of a retry: applied (or found to be moot), or still waiting (given up past the last attempt). */
export async function settleParked(
  env: Pick<Env, "DB">,
  e: ParkedEvent,
  result: { done: true } | { done: false; reason: string },
  now = Date.now(),
): Promise<void> {
  const db = getDb(env);
  const set = { updatedAt: new Date(now).toISOString() };
  if (result.done) {
    await db
      .update(parkedWebhookEvents)
      .set({ ...set, status: "applied", nextAttemptAt: null })
      .where(eq(parkedWebhookEvents.id, e.id));
    return;
  }
  const attempts = e.attempts + 1;
  if (attempts >= MAX_PARKED_ATTEMPTS) {
    log("error", "a parked provider event was never applicable; given up", {
      event_id: e.id,
      type: e.type,
      reason: result.reason,
    });
    await db
      .update(parkedWebhookEvents)
      .set({ ...set, status: "dead", attempts, nextAttemptAt: null, reason: result.reason })
      .where(eq(parkedWebhookEvents.id, e.id));
    return;
  }
  await db
    .update(parkedWebhookEvents)
    .set({
      ...set,
      attempts: sql`${parkedWebhookEvents.attempts} + 1`,
      nextAttemptAt: now + delay(attempts),
      reason: result.reason,
    })
    .where(eq(parkedWebhookEvents.id, e.id));
}
