/**
 * A local double of Stripe's HTTP API (the parts the adapter uses), speaking its
 * wire format: form-encoded requests, JSON objects and error envelopes, and
 * Idempotency-Key replay. The official SDK is pointed at it through its fetch
 * HTTP client, so the adapter is exercised end to end without the network.
 */
export class StripeDouble {
  intents = new Map<string, any>();
  refunds = new Map<string, any>();
  transfers = new Map<string, any>();
  idempotent = new Map<string, { status: number; body: string }>();
  calls: { method: string; path: string; key: string | null; form: Record<string, string> }[] = [];
  failNext = 0;
  private seq = 0;

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const form = Object.fromEntries(new URLSearchParams(await req.text()));
    const key = req.headers.get("idempotency-key");
    this.calls.push({ method: req.method, path: url.pathname, key, form });
    if (req.headers.get("authorization") !== "Bearer sk_test_double") {
      return this.json(401, { error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
    }
    if (this.failNext > 0) {
      this.failNext--;
      return this.json(500, { error: { type: "api_error", message: "Something went wrong on Stripe's end." } });
    }
    const cacheKey = key ? `${req.method} ${url.pathname} ${key}` : null;
    if (cacheKey && this.idempotent.has(cacheKey)) {
      const hit = this.idempotent.get(cacheKey)!;
      return new Response(hit.body, { status: hit.status, headers: { "content-type": "application/json", "idempotent-replayed": "true" } });
    }
    const res = this.route(req.method, url.pathname, form);
    const body = JSON.stringify(res.body);
    if (cacheKey) this.idempotent.set(cacheKey, { status: res.status, body });
    return new Response(body, { status: res.status, headers: { "content-type": "application/json", "request-id": `req_${++this.seq}` } });
  };

  private json(status: number, body: unknown) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }

  private intentFor(pm: string, amount: number, currency: string) {
    const id = `pi_double_${++this.seq}`;
    const base = { id, object: "payment_intent", amount, currency, payment_method: pm, client_secret: `${id}_secret_x`, last_payment_error: null };
    if (pm === "pm_card_chargeDeclined") return { ...base, status: "requires_payment_method", last_payment_error: { code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." } };
    if (pm === "pm_card_authenticationRequired") return { ...base, status: "requires_action" };
    return { ...base, status: "succeeded" };
  }

  private route(method: string, path: string, form: Record<string, string>): { status: number; body: unknown } {
    if (method === "POST" && path === "/v1/payment_intents") {
      const pi = this.intentFor(form.payment_method, Number(form.amount), form.currency);
      this.intents.set(pi.id, pi);
      if (pi.status === "requires_payment_method") {
        return { status: 402, body: { error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined.", payment_intent: pi } } };
      }
      return { status: 200, body: pi };
    }
    const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
    if (method === "POST" && confirm) {
      const pi = this.intents.get(confirm[1]);
      if (!pi) return { status: 404, body: { error: { type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent" } } };
      const next = { ...this.intentFor(form.payment_method ?? pi.payment_method, pi.amount, pi.currency), id: pi.id };
      this.intents.set(pi.id, next);
      return { status: 200, body: next };
    }
    if (method === "POST" && path === "/v1/refunds") {
      const pi = this.intents.get(form.payment_intent);
      if (!pi || pi.status !== "succeeded") return { status: 400, body: { error: { type: "invalid_request_error", code: "charge_not_refundable", message: "This PaymentIntent has no successful charge" } } };
      const already = [...this.refunds.values()].filter((r) => r.payment_intent === pi.id).reduce((s, r) => s + r.amount, 0);
      const amount = Number(form.amount ?? pi.amount - already);
      if (already + amount > pi.amount) {
        return { status: 400, body: { error: { type: "invalid_request_error", code: "amount_too_large", message: "Refund amount is greater than unrefunded amount" } } };
      }
      const refund = { id: `re_double_${++this.seq}`, object: "refund", amount, payment_intent: pi.id, status: "succeeded" };
      this.refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    if (method === "POST" && path === "/v1/transfers") {
      // Connect transfers: to a connected account (acct_…), from the platform's balance.
      if (!/^acct_/.test(form.destination ?? "")) return { status: 400, body: { error: { type: "invalid_request_error", code: "resource_missing", param: "destination", message: `No such destination: '${form.destination}'` } } };
      const transfer = { id: `tr_double_${++this.seq}`, object: "transfer", amount: Number(form.amount), currency: form.currency, destination: form.destination };
      this.transfers.set(transfer.id, transfer);
      return { status: 200, body: transfer };
    }
    return { status: 404, body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path})` } } };
  }
}
