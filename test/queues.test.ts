import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { onUserShard } from "../src/db/shards";
import worker from "../src/index";
import { describe, expect, it } from "vitest";
import { buildEvent } from "../src/services/events";
import { SUBSCRIBERS } from "../src/queues/subscribers";
import { retryDelaySeconds } from "../src/queues/events-consumer";
import { signup } from "./helpers";

async function deliver(queue: string, messages: Array<{ id: string; body: unknown; attempts?: number }>) {
  const batch = createMessageBatch(
    queue,
    messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts ?? 1, timestamp: new Date() })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("events consumer", () => {
  it("dead-letters a message that is not a known event instead of retrying it", async () => {
    const result = await deliver("marketplace-events", [
      { id: "msg-poison-1", body: { hello: "world" } },
      { id: "msg-poison-2", body: { id: "evt_x", type: "no.such.event", occurred_at: "", data: {} } },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["msg-poison-1", "msg-poison-2"]);
    const rows = await env.DB.prepare(
      "SELECT message_id, body FROM dead_letters WHERE message_id LIKE 'msg-poison-%' ORDER BY message_id",
    ).all<{
      message_id: string;
      body: string;
    }>();
    expect(rows.results.map((r) => r.message_id)).toEqual(["msg-poison-1", "msg-poison-2"]);
    expect(JSON.parse(rows.results[1].body).reason).toContain("unknown event type");
  });

  it("delivers each event to each subscriber once, retries failures with backoff", async () => {
    const seen: string[] = [];
    let failNext = true;
    SUBSCRIBERS["user.registered"].push({
      name: "test-subscriber",
      async handle(event) {
        if (failNext) {
          failNext = false;
          throw new Error("transient");
        }
        seen.push(event.id);
      },
    });
    try {
      const event = buildEvent("user.registered", { user_id: "usr_test", role: "buyer" });
      const first = await deliver("marketplace-events", [{ id: "m1", body: event }]);
      expect(first.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
      expect(first.explicitAcks).toEqual([]);
      const second = await deliver("marketplace-events", [{ id: "m1", body: event, attempts: 2 }]);
      expect(second.explicitAcks).toEqual(["m1"]);
      // Redelivery of an event already handled does nothing.
      const third = await deliver("marketplace-events", [{ id: "m1", body: event, attempts: 3 }]);
      expect(third.explicitAcks).toEqual(["m1"]);
      expect(seen).toEqual([event.id]);
    } finally {
      SUBSCRIBERS["user.registered"].pop();
    }
  });
});

describe("retry backoff", () => {
  it("doubles from 2 seconds and caps at 5 minutes", () => {
    expect([1, 2, 3, 4, 8, 20].map(retryDelaySeconds)).toEqual([2, 4, 8, 16, 256, 300]);
  });
});

describe("dead-letter queues", () => {
  it("records every message that exhausted its retries, once", async () => {
    const msg = { id: "dlq-msg-1", body: { id: "evt_1", type: "user.registered" }, attempts: 6 };
    await deliver("marketplace-notifications-dlq", [msg]);
    await deliver("marketplace-notifications-dlq", [msg]);
    const rows = await env.DB.prepare("SELECT queue, attempts FROM dead_letters WHERE message_id = 'dlq-msg-1'").all<{
      queue: string;
      attempts: number;
    }>();
    expect(rows.results).toEqual([{ queue: "marketplace-notifications", attempts: 6 }]);
  });
});

describe("cron", () => {
  it("relays outbox events whose first send failed", async () => {
    const u = await signup();
    // The event's outbox row is in the user's database (users are spread over two in tests); the relay sweeps each.
    const { DB } = onUserShard(env, u.user.user_id);
    await DB.prepare(
      "UPDATE outbox_events SET dispatched_at = NULL, created_at = '2000-01-01T00:00:00.000Z' WHERE payload LIKE ?",
    )
      .bind(`%${u.user.user_id}%`)
      .run();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env, createExecutionContext());
    const row = await DB.prepare("SELECT dispatched_at FROM outbox_events WHERE payload LIKE ?")
      .bind(`%${u.user.user_id}%`)
      .first<{ dispatched_at: number | null }>();
    expect(row?.dispatched_at).toBeGreaterThan(0);
  });

  it("purges expired idempotency keys", async () => {
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (caller, key, method, path, body_hash, state, locked_until, expires_at) VALUES ('c', 'old', 'POST', '/x', 'h', 'completed', 0, 1)",
    ).run();
    await worker.scheduled(createScheduledController({ cron: "*/15 * * * *" }), env, createExecutionContext());
    const row = await env.DB.prepare("SELECT key FROM idempotency_keys WHERE caller = 'c' AND key = 'old'").first();
    expect(row).toBeNull();
  });
});

describe("events consumer by batch", () => {
  it("a batch of order.paid events (one of them twice) writes each order's facts and notice once, in one pass", async () => {
    const buyers = await Promise.all([signup(), signup(), signup()]);
    const paid = buyers.map((b, i) =>
      buildEvent("order.paid", {
        order_id: `ord_BATCH${i}${Date.now().toString(36).toUpperCase()}`.padEnd(30, "0"),
        user_id: b.user.user_id,
        status: "paid",
        total_amount: 1000 * (i + 1),
        currency: "usd",
        seller_ids: ["usr_BATCHSELLER00000000000000"],
        items: [
          {
            product_id: "prd_BATCHPRODUCT0000000000000",
            seller_id: "usr_BATCHSELLER00000000000000",
            quantity: 1,
            price: 1000 * (i + 1),
          },
        ],
      }),
    );
    const messages = [...paid, paid[0]].map((body, i) => ({ id: `mb${i}`, body }));
    const result = await deliver("marketplace-events", messages);
    expect(result.explicitAcks.sort()).toEqual(["mb0", "mb1", "mb2", "mb3"]);
    expect(result.retryMessages).toEqual([]);
    for (const [i, e] of paid.entries()) {
      const d = e.data as { order_id: string; user_id: string };
      const facts = await env.WAREHOUSE.prepare("SELECT revenue FROM fact_order_items WHERE order_id = ?")
        .bind(d.order_id)
        .all<{ revenue: number }>();
      expect(facts.results).toEqual([{ revenue: 1000 * (i + 1) }]);
      const notices = await env.DB.prepare("SELECT channel FROM notifications WHERE dedupe_key LIKE ? ORDER BY channel")
        .bind(`event:${e.id}:%`)
        .all<{ channel: string }>();
      expect(notices.results.map((r) => r.channel)).toEqual(["email", "in_app"]);
    }
    // Every subscriber of every event is recorded as done: a redelivery of the whole batch adds nothing.
    const again = await deliver("marketplace-events", messages);
    expect(again.explicitAcks.sort()).toEqual(["mb0", "mb1", "mb2", "mb3"]);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE dedupe_key LIKE ?")
      .bind(`event:${paid[0].id}:%`)
      .first<{ n: number }>();
    expect(count!.n).toBe(2);
  });

  it("sends a batch of queued emails in one go and marks each sent; one without an address fails alone", async () => {
    const a = await signup();
    const b = await signup();
    const rows = [a.user.user_id, b.user.user_id, "usr_NOBODYATALL0000000000000000"].map((userId, i) => ({
      id: `ntf_BATCHMAIL${i}${Date.now().toString(36).toUpperCase()}`.padEnd(30, "0"),
      userId,
    }));
    for (const r of rows) {
      await env.DB.prepare(
        "INSERT INTO notifications (id, user_id, kind, channel, title, body, status, dedupe_key) VALUES (?, ?, 'promotion', 'email', 'Hi', 'Sale', 'pending', ?)",
      )
        .bind(r.id, r.userId, `batchmail:${r.id}`)
        .run();
    }
    const result = await deliver(
      "marketplace-notifications",
      rows.map((r, i) => ({ id: `nm${i}`, body: { notification_id: r.id } })),
    );
    expect(result.explicitAcks.sort()).toEqual(["nm0", "nm1", "nm2"]);
    const status = async (id: string) =>
      (await env.DB.prepare("SELECT status FROM notifications WHERE id = ?").bind(id).first<{ status: string }>())!
        .status;
    expect([await status(rows[0].id), await status(rows[1].id), await status(rows[2].id)]).toEqual([
      "sent",
      "sent",
      "failed",
    ]);
    const sunk = await env.DB.prepare(
      "SELECT recipient FROM message_sink WHERE notification_id IN (?, ?) ORDER BY recipient",
    )
      .bind(rows[0].id, rows[1].id)
      .all<{ recipient: string }>();
    expect(sunk.results.map((r) => r.recipient)).toEqual([a.user.email, b.user.email].sort());
  });
});
