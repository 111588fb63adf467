import { and, desc, eq, gt, inArray, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { sellerWebhooks, webhookDeliveries } from "../db/schema/webhooks";
import { randomToken, timingSafeEqual } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { assertOutboundUrl } from "../lib/outbound-url";
import { open, reseal, seal } from "../lib/secret-box";
import type { DomainEvent } from "./events";
import type { OrderEventPayload } from "./orders";
import { setTestSeam, testSeam } from "../lib/test-seams";

/**
 * Outbound webhooks for sellers' systems: order events about their items are
 * POSTed to their URL, signed with HMAC-SHA256 over `<timestamp>.<body>`
 * (header `Marketplace-Signature: t=<unix seconds>,v1=<hex>`), retried with
 * backoff through the NOTIFICATIONS queue, and logged per delivery.
 */
export const SIGNATURE_HEADER = "Marketplace-Signature";
const MAX_DELIVERY_ATTEMPTS = 5;
/** Receivers should refuse signatures older than this. */
const SIGNATURE_TOLERANCE_S = 300;

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function signPayload(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Promise<string> {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

/** What a receiver does (and what our tests do): recompute, compare in constant time, check freshness. */
export async function verifySignature(
  secret: string,
  header: string,
  body: string,
  now = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=") as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now - t) > SIGNATURE_TOLERANCE_S || !parts.v1) return false;
  const expected = await hmacHex(secret, `${t}.${body}`);
  return timingSafeEqual(new TextEncoder().encode(expected), new TextEncoder().encode(parts.v1));
}

/** Active endpoints per seller: enough for real integrations, too few to fan one order into a flood. */
export const MAX_WEBHOOKS_PER_SELLER = 10;

export async function registerWebhook(env: Env, sellerId: string, url: string) {
  const u = assertOutboundUrl(url, env.WEBHOOK_ALLOWED_HOSTS);
  const active = await getDb(env)
    .select({ id: sellerWebhooks.id })
    .from(sellerWebhooks)
    .where(and(eq(sellerWebhooks.sellerId, sellerId), eq(sellerWebhooks.active, true)))
    .limit(MAX_WEBHOOKS_PER_SELLER)
    .all();
  if (active.length >= MAX_WEBHOOKS_PER_SELLER) {
    throw new ApiError(
      "conflict",
      `A seller may have at most ${MAX_WEBHOOKS_PER_SELLER} active webhooks; delete one first`,
    );
  }
  const secret = `whsec_${randomToken(24)}`;
  const id = newId("webhook");
  await getDb(env)
    .insert(sellerWebhooks)
    .values({ id, sellerId, url: u.toString(), sealedSecret: await seal(env, id, secret) });
  // The secret is shown once, here.
  return { webhook_id: id, url: u.toString(), secret, active: true };
}

export async function listWebhooks(env: Pick<Env, "DB">, sellerId: string) {
  const rows = await getDb(env)
    .select()
    .from(sellerWebhooks)
    .where(eq(sellerWebhooks.sellerId, sellerId))
    .orderBy(desc(sellerWebhooks.id))
    .all();
  return rows.map((r) => ({ webhook_id: r.id, url: r.url, active: r.active, created_at: r.createdAt }));
}

async function ownWebhook(env: Pick<Env, "DB">, sellerId: string, id: string) {
  const row = await getDb(env)
    .select()
    .from(sellerWebhooks)
    .where(and(eq(sellerWebhooks.id, id), eq(sellerWebhooks.sellerId, sellerId)))
    .get();
  if (!row) throw new ApiError("not_found", "Webhook not found");
  return row;
}

export async function deleteWebhook(env: Pick<Env, "DB">, sellerId: string, id: string) {
  await ownWebhook(env, sellerId, id);
  await getDb(env).update(sellerWebhooks).set({ active: false }).where(eq(sellerWebhooks.id, id));
}

export async function listDeliveries(
  env: Pick<Env, "DB">,
  sellerId: string,
  id: string,
  limit: number,
  cursor?: string,
) {
  await ownWebhook(env, sellerId, id);
  const where = [eq(webhookDeliveries.webhookId, id)];
  if (cursor) where.push(lt(webhookDeliveries.id, String(decodeCursor(cursor, 1)[0])));
  const rows = await getDb(env)
    .select()
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit + 1)
    .all();
  const page = toPage(rows, limit, (r) => [r.id]);
  return {
    data: page.data.map((d) => ({
      delivery_id: d.id,
      event_id: d.eventId,
      event_type: d.eventType,
      status: d.status,
      attempts: d.attempts,
      // Only the outcome: the receiver's status code and error text would make this log a port scanner.
      result:
        d.status === "delivered"
          ? "delivered"
          : d.status === "failed"
            ? "failed"
            : d.attempts > 0
              ? "failed, retrying"
              : "queued",
      created_at: d.createdAt,
      updated_at: d.updatedAt,
    })),
    next_cursor: page.next_cursor,
  };
}

/** Subscriber: one delivery per (active webhook of a seller in the order, event); queued for sending. */
export async function fanOutOrderEvent(env: Env, event: DomainEvent): Promise<void> {
  const o = event.data as OrderEventPayload;
  if (!o.seller_ids?.length) return;
  const hooks = await getDb(env)
    .select()
    .from(sellerWebhooks)
    .where(and(inArray(sellerWebhooks.sellerId, o.seller_ids), eq(sellerWebhooks.active, true)))
    .all();
  if (hooks.length === 0) return;
  const rows = hooks.map((h) => {
    // Each seller sees only their own items.
    const payload = {
      id: event.id,
      type: event.type,
      created_at: event.occurred_at,
      data: { ...o, items: o.items.filter((i) => i.seller_id === h.sellerId), seller_ids: [h.sellerId] },
    };
    return {
      id: newId("webhookDelivery"),
      webhookId: h.id,
      eventId: event.id,
      eventType: event.type,
      payload: JSON.stringify(payload),
      status: "pending" as const,
    };
  });
  // Up to 11 bound values a row (D1 takes 100 a statement) and 100 messages a sendBatch: both in chunks.
  const db = getDb(env);
  const inserts = [];
  for (let i = 0; i < rows.length; i += 8)
    inserts.push(
      db
        .insert(webhookDeliveries)
        .values(rows.slice(i, i + 8))
        .onConflictDoNothing()
        .returning({ id: webhookDeliveries.id }),
    );
  const inserted = (await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts])).flat();
  for (let i = 0; i < inserted.length; i += 100) {
    await env.NOTIFICATIONS.sendBatch(
      inserted.slice(i, i + 100).map((r) => ({ body: { webhook_delivery_id: r.id }, contentType: "json" as const })),
    );
  }
}

/** Tests: the local receiver that deliveries go to (through the one test seam). */
export function overrideWebhookFetch(f: typeof fetch | null): void {
  setTestSeam("webhook-fetch", f);
}

/** Sends one delivery; idempotent (a delivered one is not sent again). */
export async function attemptDelivery(
  env: Env,
  deliveryId: string,
  attempt: number,
): Promise<"delivered" | "retry" | "failed" | "skip"> {
  const db = getDb(env);
  const d = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).get();
  if (d?.status !== "pending") return "skip";
  const hook = await db.select().from(sellerWebhooks).where(eq(sellerWebhooks.id, d.webhookId)).get();
  if (!hook?.active) {
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", lastError: "webhook disabled" })
      .where(eq(webhookDeliveries.id, d.id));
    return "skip";
  }
  const secret = await open(env, hook.id, hook.sealedSecret);
  let code: number | null = null;
  let error: string | null = null;
  try {
    const res = await (testSeam<typeof fetch>("webhook-fetch") ?? fetch)(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: await signPayload(secret, d.payload),
        "Marketplace-Event-Id": d.eventId,
        "user-agent": "edge-marketplace-webhooks/1",
      },
      body: d.payload,
      // A redirect could point anywhere (including our own network): it counts as a failure.
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    code = res.status;
    if (res.status >= 300 && res.status < 400)
      error = `receiver redirected (${res.status}); redirects are not followed`;
    else if (!res.ok) error = `receiver answered ${res.status}`;
  } catch (err) {
    error = (err as Error).message.slice(0, 300);
  }
  const ok = error === null;
  const last = attempt >= MAX_DELIVERY_ATTEMPTS;
  await db
    .update(webhookDeliveries)
    .set({
      status: ok ? "delivered" : last ? "failed" : "pending",
      attempts: d.attempts + 1,
      lastStatusCode: code,
      lastError: error,
      updatedAt: new Date().toISOString(),
    })
    .where(eq(webhookDeliveries.id, d.id));
  return ok ? "delivered" : last ? "failed" : "retry";
}

/** Key rotation: re-seals a page of webhook signing secrets under the current WALLET_KEY. */
export async function resealWebhookSecrets(
  env: Pick<Env, "DB" | "WALLET_KEY">,
  after: string,
  limit: number,
): Promise<{ resealed: number; last: string | null }> {
  const rows = await getDb(env)
    .select()
    .from(sellerWebhooks)
    .where(gt(sellerWebhooks.id, after))
    .orderBy(sellerWebhooks.id)
    .limit(limit)
    .all();
  let resealed = 0;
  for (const r of rows) {
    const next = await reseal(env, r.id, r.sealedSecret);
    if (next === null) continue;
    await getDb(env).update(sellerWebhooks).set({ sealedSecret: next }).where(eq(sellerWebhooks.id, r.id));
    resealed++;
  }
  return { resealed, last: rows.length === limit ? rows[rows.length - 1].id : null };
}

/** Deliveries waiting, and those that failed since `since` (ISO): GET /admin/health. */
export async function webhookDeliveryBacklog(env: Pick<Env, "DB">, since: string) {
  const row = await env.DB.prepare(
    "SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed' AND updated_at >= ?) AS failed_24h FROM webhook_deliveries",
  )
    .bind(since)
    .first<{ pending: number | null; failed_24h: number | null }>();
  return { pending: row?.pending ?? 0, failed_24h: row?.failed_24h ?? 0 };
}
