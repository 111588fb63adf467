import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { deadLetters } from "../db/schema/events";
import { newId } from "../lib/ids";
import { log } from "../lib/logger";

/**
 * Parks a message that cannot be processed in D1 for admins to inspect.
 * Called by every `*-dlq` consumer and directly for poison messages (ones that
 * will never parse, so retrying them only wastes attempts).
 */
export async function recordDeadLetter(
  env: Pick<Env, "DB">,
  queue: string,
  message: { id: string; body: unknown; attempts: number },
  reason: string,
): Promise<void> {
  await getDb(env)
    .insert(deadLetters)
    .values({
      id: newId("deadLetter"),
      queue,
      messageId: message.id,
      body: JSON.stringify({ reason, body: message.body }),
      attempts: message.attempts,
    })
    .onConflictDoNothing();
  log("warn", "message dead-lettered", { queue, message_id: message.id, attempts: message.attempts, reason });
}

/** Consumer of `<queue>-dlq`: everything that arrives exhausted its retries on `<queue>`. */
export async function consumeDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
  const source = batch.queue.replace(/-dlq$/, "");
  for (const message of batch.messages) {
    await recordDeadLetter(env, source, message, "retries exhausted");
    message.ack();
  }
}

const QUEUE_BINDINGS: Record<string, "EVENTS" | "NOTIFICATIONS" | "ANALYTICS"> = {
  "marketplace-events": "EVENTS",
  "marketplace-notifications": "NOTIFICATIONS",
  "marketplace-analytics": "ANALYTICS",
};

/**
 * Sends a parked message back to the queue it died on (an admin's replay, once the cause is
 * fixed). Consumers are idempotent, so a replay of something that meanwhile succeeded does no harm.
 * Returns the queue, or null when the dead letter is unknown or its queue cannot be replayed to.
 */
export async function replayDeadLetter(env: Env, id: string): Promise<{ queue: string; message_id: string } | null> {
  const row = await getDb(env).select().from(deadLetters).where(eq(deadLetters.id, id)).get();
  if (!row) return null;
  const binding = QUEUE_BINDINGS[row.queue.replace(/-(staging|production)$/, "")];
  const parked = JSON.parse(row.body) as { body?: unknown };
  if (!binding || parked.body === undefined) return null;
  await env[binding].send(parked.body, { contentType: "json" });
  await getDb(env).update(deadLetters).set({ replayedAt: new Date().toISOString() }).where(eq(deadLetters.id, id));
  return { queue: row.queue, message_id: row.messageId };
}

/** Replays up to `limit` parked messages not replayed yet (optionally of one queue), oldest first. */
export async function replayDeadLetters(
  env: Env,
  opts: { queue?: string; limit: number },
): Promise<{ queue: string; message_id: string }[]> {
  const where = [isNull(deadLetters.replayedAt)];
  if (opts.queue) where.push(eq(deadLetters.queue, opts.queue));
  const rows = await getDb(env)
    .select({ id: deadLetters.id })
    .from(deadLetters)
    .where(and(...where))
    .orderBy(deadLetters.id)
    .limit(opts.limit)
    .all();
  const done = [];
  for (const r of rows) {
    const replayed = await replayDeadLetter(env, r.id);
    if (replayed) done.push(replayed);
  }
  return done;
}

/** The newest dead letters, for admins (GET /admin/dead-letters). */
export async function listDeadLetters(env: Pick<Env, "DB">, limit: number) {
  const rows = await getDb(env).select().from(deadLetters).orderBy(desc(deadLetters.id)).limit(limit).all();
  return rows.map((r) => ({
    dead_letter_id: r.id,
    queue: r.queue,
    message_id: r.messageId,
    body: JSON.parse(r.body),
    attempts: r.attempts,
    replayed_at: r.replayedAt,
    created_at: r.createdAt,
  }));
}

/** Messages dead-lettered since `since` (ISO), per queue: GET /admin/health. */
export async function deadLettersByQueue(env: Pick<Env, "DB">, since: string): Promise<Record<string, number>> {
  const rows = await env.DB.prepare(
    "SELECT queue, COUNT(*) AS n FROM dead_letters WHERE created_at >= ? GROUP BY queue",
  )
    .bind(since)
    .all<{ queue: string; n: number }>();
  return Object.fromEntries(rows.results.map((d) => [d.queue, d.n]));
}
