import { and, asc, inArray, isNull, lt } from "drizzle-orm";
import { z } from "@hono/zod-openapi";
import { getDb, insertStatement, type Db } from "../db/client";
import { outboxEvents } from "../db/schema/events";
import { eachOrderShard } from "../db/shards";
import { newId } from "../lib/ids";
import { coalescer } from "../lib/coalesce";
import { errorFields, log } from "../lib/logger";

/**
 * Domain events, published to the EVENTS queue through a transactional outbox:
 * the event row is written in the same D1 batch as the change it describes,
 * sent right after, and a cron relays any row whose send failed. Delivery is
 * at-least-once, so every consumer de-duplicates by event id.
 *
 * The catalog (event-catalog.ts) is the contract between producers and consumers; a
 * message that does not parse against it is dead-lettered, not retried.
 */
export { OrderEventData, type EventData, type EventType } from "./event-catalog";
import { EventCatalog, type EventData, type EventType } from "./event-catalog";

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  occurred_at: string;
  data: EventData<T>;
}

const EventEnvelope = z.object({
  id: z.string(),
  type: z.string(),
  occurred_at: z.string(),
  data: z.unknown(),
});

export function buildEvent<T extends EventType>(type: T, data: EventData<T>): DomainEvent<T> {
  return { id: newId("event"), type, occurred_at: new Date().toISOString(), data };
}

/** Parses a queue message body into a known event, or says why it cannot be one. */
export function parseEvent(body: unknown): { ok: true; event: DomainEvent } | { ok: false; reason: string } {
  const envelope = EventEnvelope.safeParse(body);
  if (!envelope.success) return { ok: false, reason: "not an event envelope" };
  const schema = EventCatalog[envelope.data.type as EventType];
  if (!schema) return { ok: false, reason: `unknown event type ${envelope.data.type}` };
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `invalid data for ${envelope.data.type}` };
  return { ok: true, event: { ...envelope.data, type: envelope.data.type as EventType, data: data.data } };
}

/** Outbox rows for many events, chunked under D1's 100 bound values a statement (4 a row). */
export function outboxInsertMany(db: Db, events: DomainEvent[]) {
  const statements = [];
  for (let i = 0; i < events.length; i += 20) {
    statements.push(
      db
        .insert(outboxEvents)
        .values(
          events
            .slice(i, i + 20)
            .map((e) => ({ id: e.id, type: e.type, payload: JSON.stringify(e), createdAt: e.occurred_at })),
        ),
    );
  }
  return statements;
}

/** The outbox row of an event as a plain statement (for a batch of plain statements: a checkout's order write). */
export function outboxStatement(d1: D1Database, event: DomainEvent): D1PreparedStatement {
  return insertStatement(d1, outboxEvents, [
    { id: event.id, type: event.type, payload: JSON.stringify(event), createdAt: event.occurred_at },
  ]);
}

/**
 * An outbox row made by the caller's SELECT over its own tables, in the same batch as its change:
 * `select` yields (id, type, payload, created_at), or no row (a guarded change that lost). The
 * outbox stays the events module's; the tables the row is made from stay their owner's.
 */
export function outboxFromSelect(d1: D1Database, select: string, ...binds: unknown[]): D1PreparedStatement {
  return d1.prepare(`INSERT INTO outbox_events (id, type, payload, created_at) ${select}`).bind(...binds);
}

export function outboxInsert(db: Db, event: DomainEvent) {
  return db.insert(outboxEvents).values({
    id: event.id,
    type: event.type,
    payload: JSON.stringify(event),
    createdAt: event.occurred_at,
  });
}

/** Queues take at most 100 messages per sendBatch; D1 binds at most 100 values per statement. */
const SEND_CHUNK = 50;
/**
 * How long events wait to share one send and one outbox update with other requests' events in
 * this isolate. At 5 ms a checkout's two events went out alone at a hundred orders a second (an
 * outbox update per order, measured); at 25 ms several orders share them. Consumers learn of an
 * event through a queue that batches for seconds anyway, so the wait costs them nothing.
 */
const DISPATCH_WINDOW_MS = 25;

type Home = Pick<Env, "DB" | "EVENTS">;

/**
 * Publishing, shared by every request of an isolate: events committed within a
 * few milliseconds of each other go out in one queue send and one outbox
 * update per database, instead of one each. Runs after the response.
 */
const publish = coalescer<{ home: Home; event: DomainEvent }, null>(DISPATCH_WINDOW_MS, async (batch) => {
  const byDb = new Map<D1Database, { home: Home; events: DomainEvent[] }>();
  for (const { home, event } of batch) {
    const group = byDb.get(home.DB) ?? { home, events: [] };
    group.events.push(event);
    byDb.set(home.DB, group);
  }
  await Promise.all(
    [...byDb.values()].map(async ({ home, events }) => {
      for (let i = 0; i < events.length; i += SEND_CHUNK) await sendAndMark(home, events.slice(i, i + SEND_CHUNK));
    }),
  );
});

/**
 * Sends events to the EVENTS queue and marks them dispatched. A failed send
 * is logged and left for the relay cron; it never fails the request that
 * already committed the change. `env.DB` is the database the outbox rows were
 * written to (an order's or a user's: src/db/shards.ts). Every consumer,
 * the analytics warehouse among them, learns of the event from the queue.
 */
export async function dispatchEvents(env: Home, events: DomainEvent[]): Promise<void> {
  for (const event of events) await publish({ home: env, event }, null);
}

async function sendAndMark(env: Home, events: DomainEvent[]): Promise<void> {
  try {
    await env.EVENTS.sendBatch(events.map((event) => ({ body: event, contentType: "json" as const })));
    await getDb(env)
      .update(outboxEvents)
      .set({ dispatchedAt: Date.now() })
      .where(
        inArray(
          outboxEvents.id,
          events.map((e) => e.id),
        ),
      );
  } catch (err) {
    log("warn", "event dispatch failed; the outbox relay will retry", {
      event_ids: events.map((e) => e.id),
      ...errorFields(err),
    });
  }
}

/** Cron: re-sends outbox rows older than `minAgeMs` that were never marked dispatched. */
export async function relayOutbox(env: Pick<Env, "DB" | "EVENTS">, minAgeMs = 30_000, batch = 100): Promise<number> {
  const cutoff = new Date(Date.now() - minAgeMs).toISOString();
  let sent = 0;
  // Every database that holds outbox rows (DB and each order database).
  for (const e of eachOrderShard(env)) {
    const rows = await getDb(e)
      .select({ payload: outboxEvents.payload })
      .from(outboxEvents)
      .where(and(isNull(outboxEvents.dispatchedAt), lt(outboxEvents.createdAt, cutoff)))
      .orderBy(asc(outboxEvents.createdAt))
      .limit(batch);
    const events = rows.map((r) => JSON.parse(r.payload) as DomainEvent);
    for (let i = 0; i < events.length; i += SEND_CHUNK) await sendAndMark(e, events.slice(i, i + SEND_CHUNK));
    sent += events.length;
  }
  return sent;
}

/** Cron: forgets dispatched outbox rows after a week. */
export async function purgeDispatchedOutbox(env: Pick<Env, "DB">, olderThanMs = 7 * 24 * 3600 * 1000): Promise<void> {
  for (const e of eachOrderShard(env))
    await getDb(e)
      .delete(outboxEvents)
      .where(lt(outboxEvents.dispatchedAt, Date.now() - olderThanMs));
}

/** The outbox rows not yet dispatched in one database, and the oldest one's time: GET /admin/health. */
export async function outboxBacklog(d1: D1Database): Promise<{ pending: number; oldest: string | null }> {
  const row = await d1
    .prepare("SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM outbox_events WHERE dispatched_at IS NULL")
    .first<{ pending: number; oldest: string | null }>();
  return row ?? { pending: 0, oldest: null };
}
