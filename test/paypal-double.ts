/**
 * A local double of PayPal's REST API (the parts the adapter uses), in its wire format: OAuth
 * client credentials, Orders v2 (create, get, authorize, capture), authorizations (capture in
 * parts with final_capture, void), capture refunds, PayPal-Request-Id replay, and the webhook
 * signature check. The adapter is pointed at it through its fetch, so nothing is dialled.
 */
export class PayPalDouble {
  orders = new Map<string, any>();
  calls: { method: string; path: string; requestId: string | null; body: any }[] = [];
  /** Transmission ids whose signature "verifies" (what PayPal's verify-webhook-signature would say). */
  signed = new Set<string>();
  private replays = new Map<string, { status: number; body: string }>();
  private seq = 0;

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.text();
    const requestId = req.headers.get("paypal-request-id");
    const body = text && req.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    this.calls.push({ method: req.method, path: url.pathname, requestId, body });
    if (url.pathname === "/v1/oauth2/token") {
      if (req.headers.get("authorization") !== `Basic ${btoa("client_double:secret_double")}`)
        return this.json(401, { error: "invalid_client" });
      return this.json(200, { access_token: "A21_double", token_type: "Bearer", expires_in: 32_400 });
    }
    if (req.headers.get("authorization") !== "Bearer A21_double")
      return this.json(401, { name: "AUTHENTICATION_FAILURE" });
    const key = requestId ? `${req.method} ${url.pathname} ${requestId}` : null;
    if (key && this.replays.has(key)) {
      const hit = this.replays.get(key)!;
      return new Response(hit.body, { status: hit.status, headers: { "content-type": "application/json" } });
    }
    const res = this.route(req.method, url.pathname, body);
    const out = JSON.stringify(res.body);
    if (key) this.replays.set(key, { status: res.status, body: out });
    return new Response(out, { status: res.status, headers: { "content-type": "application/json" } });
  };

  /** The buyer approves the order on PayPal's page. */
  approve(orderId: string) {
    const o = this.orders.get(orderId);
    if (o?.status === "PAYER_ACTION_REQUIRED") o.status = "APPROVED";
  }

  private json(status: number, body: unknown) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }

  private cents = (value: string) => Math.round(Number(value) * 100);

  private route(method: string, path: string, body: any): { status: number; body: unknown } {
    if (method === "POST" && path === "/v2/checkout/orders") {
      // Unique across doubles, as PayPal's ids are (payments are unique by provider and reference).
      const id = `${crypto.randomUUID().slice(0, 8).toUpperCase()}${++this.seq}PP`;
      const unit = body.purchase_units[0];
      const order = {
        id,
        intent: body.intent,
        status: "PAYER_ACTION_REQUIRED",
        purchase_units: [
          { reference_id: unit.reference_id, amount: unit.amount, payments: { authorizations: [], captures: [] } },
        ],
        links: [
          // A loopback address: nothing in the tests follows it.
          { rel: "payer-action", href: `http://127.0.0.1:9/paypal/checkoutnow?token=${id}`, method: "GET" },
        ],
        return_url: body.payment_source?.paypal?.experience_context?.return_url,
      };
      this.orders.set(id, order);
      return { status: 200, body: order };
    }
    const order = /^\/v2\/checkout\/orders\/([^/]+)(?:\/(authorize|capture))?$/.exec(path);
    if (order) {
      const o = this.orders.get(order[1]);
      if (!o)
        return { status: 404, body: { name: "RESOURCE_NOT_FOUND", message: "The specified resource does not exist." } };
      if (method === "GET") return { status: 200, body: o };
      if (o.status !== "APPROVED")
        return { status: 422, body: { name: "UNPROCESSABLE_ENTITY", message: "ORDER_NOT_APPROVED" } };
      const unit = o.purchase_units[0];
      const cents = Math.round(Number(unit.amount.value) * 100);
      if (order[2] === "authorize")
        unit.payments.authorizations.push({ id: `AUTH${++this.seq}`, status: "CREATED", cents, captured: 0 });
      else
        unit.payments.captures.push({
          id: `CAP${++this.seq}`,
          status: "COMPLETED",
          amount: { ...unit.amount },
          refunded: 0,
        });
      o.status = "COMPLETED";
      return { status: 201, body: o };
    }
    const auth = /^\/v2\/payments\/authorizations\/([^/]+)\/(capture|void)$/.exec(path);
    if (auth && method === "POST") {
      const o = [...this.orders.values()].find((x) =>
        x.purchase_units[0].payments.authorizations.some((a: any) => a.id === auth[1]),
      );
      const a = o?.purchase_units[0].payments.authorizations.find((x: any) => x.id === auth[1]);
      if (!a) return { status: 404, body: { name: "RESOURCE_NOT_FOUND", message: "No such authorization" } };
      if (a.status === "VOIDED" || a.status === "CAPTURED")
        return {
          status: 422,
          body: { name: "UNPROCESSABLE_ENTITY", message: "AUTHORIZATION_ALREADY_CAPTURED_OR_VOIDED" },
        };
      if (auth[2] === "void") {
        a.status = a.captured > 0 ? "PARTIALLY_CAPTURED" : "VOIDED";
        a.voided = true;
        return { status: 200, body: a };
      }
      const cents = this.cents(body.amount.value);
      if (a.captured + cents > a.cents)
        return { status: 422, body: { name: "UNPROCESSABLE_ENTITY", message: "AMOUNT_EXCEEDS" } };
      a.captured += cents;
      a.status = body.final_capture || a.captured === a.cents ? "CAPTURED" : "PARTIALLY_CAPTURED";
      const capture = {
        id: `CAP${++this.seq}`,
        status: "COMPLETED",
        amount: body.amount,
        final_capture: body.final_capture,
        refunded: 0,
      };
      o.purchase_units[0].payments.captures.push(capture);
      return { status: 201, body: capture };
    }
    const captureGet = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path);
    if (captureGet && method === "GET") {
      const o = [...this.orders.values()].find((x) =>
        x.purchase_units[0].payments.captures.some((c: any) => c.id === captureGet[1]),
      );
      if (!o) return { status: 404, body: { name: "RESOURCE_NOT_FOUND", message: "No such capture" } };
      const c = o.purchase_units[0].payments.captures.find((x: any) => x.id === captureGet[1]);
      return { status: 200, body: { ...c, supplementary_data: { related_ids: { order_id: o.id } } } };
    }
    const refund = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path);
    if (refund && method === "POST") {
      const c = [...this.orders.values()]
        .flatMap((x) => x.purchase_units[0].payments.captures)
        .find((x: any) => x.id === refund[1]);
      if (!c) return { status: 404, body: { name: "RESOURCE_NOT_FOUND", message: "No such capture" } };
      const cents = this.cents(body.amount.value);
      if (c.refunded + cents > this.cents(c.amount.value))
        return { status: 422, body: { name: "UNPROCESSABLE_ENTITY", message: "REFUND_AMOUNT_EXCEEDED" } };
      c.refunded += cents;
      return { status: 201, body: { id: `REF${++this.seq}`, status: "COMPLETED", amount: body.amount } };
    }
    if (method === "POST" && path === "/v1/notifications/verify-webhook-signature") {
      const ok = body.webhook_id === "WH_double" && this.signed.has(body.transmission_id);
      return { status: 200, body: { verification_status: ok ? "SUCCESS" : "FAILURE" } };
    }
    return { status: 404, body: { name: "RESOURCE_NOT_FOUND", message: `No route ${method} ${path}` } };
  }
}
