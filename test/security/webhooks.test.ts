import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { outboundUrlProblem } from "../../src/lib/outbound-url";
import { attemptDelivery, MAX_WEBHOOKS_PER_SELLER, overrideWebhookFetch } from "../../src/services/webhooks";
import { env } from "cloudflare:workers";
import { call, json, signup } from "../helpers";

/**
 * Finding 5 (medium): SSRF through seller webhooks. The validator is tested on strings only;
 * every delivery in this file goes to a local stand-in (overrideWebhookFetch), never a network.
 */
describe("webhook URL validator", () => {
  // The cases below name addresses outside 127.0.0.0/8 only as strings for the pure validator: it
  // parses, it never sends. Held here, not assumed: no fetch and no webhook delivery may happen.
  const sent: string[] = [];
  beforeEach(() => {
    sent.length = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      sent.push(String(input instanceof Request ? input.url : input));
      return new Response(null, { status: 599 });
    });
    overrideWebhookFetch(async (url) => {
      sent.push(String(url));
      return new Response(null, { status: 599 });
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    overrideWebhookFetch(null);
    expect(sent).toEqual([]);
  });
  // Strings for the pure validator only: each is refused, and nothing registers or sends to any of them.
  // Every IP literal is refused whatever its range (private, link-local, metadata), so the IPv4 cases
  // are loopback addresses written in each notation the URL parser accepts (shorthand, hex, octal).
  it.each([
    ["http://127.0.0.1/x", "https_only"],
    ["ftp://127.0.0.1/x", "https_only"],
    ["file:///etc/passwd", "https_only"],
    ["https://127.0.0.1/x", "ip_literal"],
    ["https://127.1/x", "ip_literal"],
    ["https://127.0x0.0x1/x", "ip_literal"],
    ["https://127.0.0.010/x", "ip_literal"],
    ["https://[::1]/x", "ip_literal"],
    ["https://[fd00::1]/x", "ip_literal"],
    ["https://[::ffff:127.0.0.1]/x", "ip_literal"],
    ["https://localhost/x", "local_host"],
    ["https://api.localhost/x", "local_host"],
    ["https://printer.local/x", "local_host"],
    ["https://metadata.google.internal/x", "local_host"],
    ["https://intranet/x", "local_host"],
    ["https://user:pw@hooks.shop-example.com/x", "credentials"],
    ["https://hooks.shop-example.com:22/x", "port"],
    ["not a url", "invalid_url"],
  ])("refuses %s (%s)", (url, problem) => {
    expect(outboundUrlProblem(url)).toBe(problem);
  });
  it("accepts a public https host name", () => {
    expect(outboundUrlProblem("https://hooks.shop-example.com/orders")).toBeNull();
    expect(outboundUrlProblem("https://hooks.shop-example.com:8443/orders")).toBeNull();
  });
  it("accepts a loopback receiver only where WEBHOOK_ALLOWED_HOSTS names it (tests, npm start)", () => {
    expect(outboundUrlProblem("http://127.0.0.1:9/hook")).toBe("https_only");
    expect(outboundUrlProblem("http://127.0.0.1:9/hook", ["127.0.0.1"])).toBeNull();
  });
});

describe("webhook registration and delivery", () => {
  afterEach(() => overrideWebhookFetch(null));

  // Only loopback forms are sent to the API (a refused registration still names its address);
  // the metadata and private names are the pure validator's cases above.
  it("answers a loopback URL in any form, or a local name, with 400 naming the field", async () => {
    const seller = await signup({ role: "seller" });
    for (const url of [
      "https://127.0.0.2/x",
      "https://0x7f.0.0.3/x",
      "https://metadata.localhost/x",
      "https://[::1]/x",
      "https://localhost/x",
      "ftp://127.0.0.1/x",
    ]) {
      const res = await call("POST", "/webhooks", { token: seller.access_token, body: { url } });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details[0].field).toBe("url");
    }
  });

  it(`caps active webhooks at ${MAX_WEBHOOKS_PER_SELLER} per seller`, async () => {
    const seller = await signup({ role: "seller" });
    for (let i = 0; i < MAX_WEBHOOKS_PER_SELLER; i++) {
      expect(
        (await call("POST", "/webhooks", { token: seller.access_token, body: { url: `http://127.0.0.1:9/h${i}` } }))
          .status,
      ).toBe(201);
    }
    const res = await call("POST", "/webhooks", {
      token: seller.access_token,
      body: { url: "http://127.0.0.1:9/one-more" },
    });
    expect(res.status).toBe(409);
  });

  it("follows no redirect and tells the seller only the outcome, not the receiver's answer", async () => {
    const seller = await signup({ role: "seller" });
    const hook = await json(
      await call("POST", "/webhooks", { token: seller.access_token, body: { url: "http://127.0.0.1:9/r" } }),
    );
    const seen: RequestInit[] = [];
    overrideWebhookFetch(async (_url, init) => {
      seen.push(init as RequestInit);
      // A redirect towards another local address (a stand-in for an internal one): never followed.
      return new Response(null, { status: 302, headers: { location: "http://127.0.0.2:9/internal" } });
    });
    const id = `whd_${Date.now()}`;
    await env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, status) VALUES (?, ?, ?, 'order.paid', '{}', 'pending')",
    )
      .bind(id, hook.webhook_id, `evt_${Date.now()}`)
      .run();
    expect(await attemptDelivery(env, id, 1)).toBe("retry");
    expect(seen[0].redirect).toBe("manual");
    const log = await json(
      await call("GET", `/webhooks/${hook.webhook_id}/deliveries`, { token: seller.access_token }),
    );
    expect(log.data[0].result).toBe("failed, retrying");
    const { delivery_id: _d, event_id: _e, created_at: _c, updated_at: _u, ...shown } = log.data[0];
    expect(JSON.stringify(shown)).not.toMatch(/302|127\.0\.0\.2|internal|redirect|answered/);
  });
});
vi.setConfig({ testTimeout: 30_000 });
