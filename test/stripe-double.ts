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
  calculations = new Map<string, any>();
  customers = new Map<string, any>();
  paymentMethods = new Map<string, any>();
  /** Stripe Tax's answer per jurisdiction (basis points) and per tax code; a code absent here pays the standard rate. */
  taxRates: Record<string, { bp: number; codes?: Record<string, number> }> = {
    "US-CA": { bp: 725 },
    "US-WA": { bp: 650 },
    DE: { bp: 1900, codes: { txcd_35010000: 700 } },
    GB: { bp: 2000, codes: { txcd_35010000: 0 } },
  };
  idempotent = new Map<string, { status: number; body: string }>();
  calls: { method: string; path: string; key: string | null; form: Record<string, string> }[] = [];
  failNext = 0;
  private seq = 0;

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const form = Object.fromEntries(new URLSearchParams(req.method === "GET" ? url.search : await req.text()));
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
      return new Response(hit.body, {
        status: hit.status,
        headers: { "content-type": "application/json", "idempotent-replayed": "true" },
      });
    }
    const res = this.route(req.method, url.pathname, form);
    const body = JSON.stringify(res.body);
    if (cacheKey) this.idempotent.set(cacheKey, { status: res.status, body });
    return new Response(body, {
      status: res.status,
      headers: { "content-type": "application/json", "request-id": `req_${++this.seq}` },
    });
  };

  private json(status: number, body: unknown) {
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }

  private intentFor(pm: string, amount: number, currency: string) {
    const id = `pi_double_${++this.seq}`;
    const base = {
      id,
      object: "payment_intent",
      amount,
      currency,
      payment_method: pm,
      client_secret: `${id}_secret_x`,
      last_payment_error: null,
    };
    if (pm === "pm_card_chargeDeclined")
      return {
        ...base,
        status: "requires_payment_method",
        last_payment_error: {
          code: "card_declined",
          decline_code: "generic_decline",
          message: "Your card was declined.",
        },
      };
    if (pm === "pm_card_authenticationRequired") return { ...base, status: "requires_action" };
    // A method that sends the buyer to their bank (a loopback address: nothing in the tests follows it).
    if (pm === "pm_card_redirect")
      return {
        ...base,
        status: "requires_action",
        next_action: {
          type: "redirect_to_url",
          redirect_to_url: { url: `http://127.0.0.1:9/bank/${id}`, return_url: null },
        },
      };
    return { ...base, status: "succeeded" };
  }

  /** A manual intent that succeeded is only authorised: requires_capture, with all of it capturable. */
  private manual(pi: any, manual: boolean) {
    if (!manual)
      return { ...pi, capture_method: "automatic", amount_received: pi.status === "succeeded" ? pi.amount : 0 };
    if (pi.status !== "succeeded") return { ...pi, capture_method: "manual", amount_received: 0, amount_capturable: 0 };
    return {
      ...pi,
      capture_method: "manual",
      status: "requires_capture",
      amount_received: 0,
      amount_capturable: pi.amount,
    };
  }

  private missing(what: string) {
    return {
      status: 404,
      body: { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}` } },
    };
  }

  private unexpectedState(pi: any) {
    return {
      status: 400,
      body: {
        error: {
          type: "invalid_request_error",
          code: pi ? "payment_intent_unexpected_state" : "resource_missing",
          message: pi ? `This PaymentIntent's status is ${pi.status}` : "No such payment_intent",
        },
      },
    };
  }

  private route(method: string, path: string, form: Record<string, string>): { status: number; body: unknown } {
    if (method === "POST" && path === "/v1/payment_intents") {
      const pi = this.manual(
        this.intentFor(form.payment_method, Number(form.amount), form.currency),
        form.capture_method === "manual",
      );
      this.intents.set(pi.id, pi);
      if (pi.status === "requires_payment_method") {
        return {
          status: 402,
          body: {
            error: {
              type: "card_error",
              code: "card_declined",
              decline_code: "generic_decline",
              message: "Your card was declined.",
              payment_intent: pi,
            },
          },
        };
      }
      return { status: 200, body: pi };
    }
    const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
    if (method === "POST" && confirm) {
      const pi = this.intents.get(confirm[1]);
      if (!pi)
        return {
          status: 404,
          body: {
            error: { type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent" },
          },
        };
      const next = this.manual(
        { ...this.intentFor(form.payment_method ?? pi.payment_method, pi.amount, pi.currency), id: pi.id },
        pi.capture_method === "manual",
      );
      this.intents.set(pi.id, next);
      return { status: 200, body: next };
    }
    if (method === "POST" && path === "/v1/customers") {
      const customer = {
        id: `cus_double_${++this.seq}`,
        object: "customer",
        metadata: { user_id: form["metadata[user_id]"] },
      };
      this.customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === "POST" && path === "/v1/setup_intents") {
      // A test card id becomes a new PaymentMethod attached to the customer.
      if (!this.customers.has(form.customer)) return this.missing("customer");
      if (form.payment_method === "pm_card_chargeDeclined")
        return {
          status: 402,
          body: { error: { type: "card_error", code: "card_declined", message: "Your card was declined." } },
        };
      const brand = /^pm_card_(\w+)$/.exec(form.payment_method)?.[1] ?? "visa";
      const pm = {
        id: `pm_double_${++this.seq}`,
        object: "payment_method",
        customer: form.customer,
        card: { brand, last4: brand === "mastercard" ? "4444" : "4242", exp_month: 12, exp_year: 2030 },
      };
      this.paymentMethods.set(pm.id, pm);
      return {
        status: 200,
        body: {
          id: `seti_double_${this.seq}`,
          object: "setup_intent",
          status: "succeeded",
          customer: form.customer,
          payment_method: pm.id,
          usage: form.usage,
        },
      };
    }
    const pmPath = /^\/v1\/payment_methods\/([^/]+)(\/detach)?$/.exec(path);
    if (pmPath) {
      const pm = this.paymentMethods.get(pmPath[1]);
      if (!pm) return this.missing("payment_method");
      if (method === "POST" && pmPath[2]) {
        const detached = { ...pm, customer: null };
        this.paymentMethods.set(pm.id, detached);
        return { status: 200, body: detached };
      }
      return { status: 200, body: pm };
    }
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === "GET" && retrieve) {
      const pi = this.intents.get(retrieve[1]);
      return pi ? { status: 200, body: pi } : this.unexpectedState(pi);
    }
    const capture = /^\/v1\/payment_intents\/([^/]+)\/capture$/.exec(path);
    if (method === "POST" && capture) {
      const pi = this.intents.get(capture[1]);
      if (pi?.status !== "requires_capture") return this.unexpectedState(pi);
      const amount = Number(form.amount_to_capture ?? pi.amount_capturable);
      if (amount > pi.amount_capturable)
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "amount_too_large",
              message: "Amount to capture is greater than amount capturable",
            },
          },
        };
      const final = form.final_capture !== "false" || amount === pi.amount_capturable;
      const next = {
        ...pi,
        amount_received: pi.amount_received + amount,
        amount_capturable: final ? 0 : pi.amount_capturable - amount,
        status: final ? "succeeded" : "requires_capture",
        latest_charge: `ch_double_${++this.seq}`,
      };
      this.intents.set(pi.id, next);
      return { status: 200, body: next };
    }
    const cancel = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path);
    if (method === "POST" && cancel) {
      const pi = this.intents.get(cancel[1]);
      if (!pi || pi.status === "succeeded" || pi.status === "canceled") return this.unexpectedState(pi);
      const next = { ...pi, status: "canceled", amount_capturable: 0 };
      this.intents.set(pi.id, next);
      return { status: 200, body: next };
    }
    if (method === "POST" && path === "/v1/refunds") {
      const pi = this.intents.get(form.payment_intent);
      // What was captured can be refunded (a partly captured authorisation too).
      if (!pi || !(pi.amount_received > 0))
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "charge_not_refundable",
              message: "This PaymentIntent has no successful charge",
            },
          },
        };
      const already = [...this.refunds.values()]
        .filter((r) => r.payment_intent === pi.id)
        .reduce((s, r) => s + r.amount, 0);
      const amount = Number(form.amount ?? pi.amount_received - already);
      if (already + amount > pi.amount_received) {
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "amount_too_large",
              message: "Refund amount is greater than unrefunded amount",
            },
          },
        };
      }
      const refund = {
        id: `re_double_${++this.seq}`,
        object: "refund",
        amount,
        payment_intent: pi.id,
        status: "succeeded",
      };
      this.refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }
    if (method === "POST" && path === "/v1/transfers") {
      // Connect transfers: to a connected account (acct_…), from the platform's balance.
      if (!/^acct_/.test(form.destination ?? ""))
        return {
          status: 400,
          body: {
            error: {
              type: "invalid_request_error",
              code: "resource_missing",
              param: "destination",
              message: `No such destination: '${form.destination}'`,
            },
          },
        };
      const transfer = {
        id: `tr_double_${++this.seq}`,
        object: "transfer",
        amount: Number(form.amount),
        currency: form.currency,
        destination: form.destination,
      };
      this.transfers.set(transfer.id, transfer);
      return { status: 200, body: transfer };
    }
    if (method === "POST" && path === "/v1/tax/calculations") return this.calculate(form);
    const lineItems = /^\/v1\/tax\/calculations\/([^/]+)\/line_items$/.exec(path);
    if (method === "GET" && lineItems) {
      const all = this.calculations.get(lineItems[1])?.all as any[] | undefined;
      if (!all)
        return {
          status: 404,
          body: {
            error: { type: "invalid_request_error", code: "resource_missing", message: "No such tax calculation" },
          },
        };
      const from = form.starting_after ? all.findIndex((l) => l.id === form.starting_after) + 1 : 0;
      const page = all.slice(from, from + Number(form.limit ?? 10));
      return {
        status: 200,
        body: { object: "list", data: page, has_more: from + page.length < all.length, url: path },
      };
    }
    return {
      status: 404,
      body: { error: { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path})` } },
    };
  }

  /** Stripe Tax: per line, exclusive (added) or inclusive (contained) at the address's rate; the first 10 lines inline, as Stripe lists them. */
  private calculate(form: Record<string, string>): { status: number; body: unknown } {
    const country = form["customer_details[address][country]"];
    const state = form["customer_details[address][state]"];
    if (!country || form["customer_details[address_source]"] !== "shipping") {
      return {
        status: 400,
        body: {
          error: {
            type: "invalid_request_error",
            code: "parameter_missing",
            message: "Missing customer_details[address]",
          },
        },
      };
    }
    const where = this.taxRates[`${country}-${state}`] ? `${country}-${state}` : country;
    const rate = this.taxRates[where];
    const id = `taxcalc_double_${++this.seq}`;
    const lines: any[] = [];
    for (let i = 0; form[`line_items[${i}][amount]`] !== undefined; i++) {
      const amount = Number(form[`line_items[${i}][amount]`]);
      const behavior = form[`line_items[${i}][tax_behavior]`];
      const code = form[`line_items[${i}][tax_code]`];
      const bp = rate ? (rate.codes?.[code] ?? rate.bp) : 0;
      const tax =
        behavior === "inclusive"
          ? Math.floor((amount * bp * 2 + (10_000 + bp)) / (2 * (10_000 + bp)))
          : Math.floor((amount * bp + 5_000) / 10_000);
      lines.push({
        id: `tax_li_double_${this.seq}_${i}`,
        object: "tax.calculation_line_item",
        amount,
        amount_tax: tax,
        reference: form[`line_items[${i}][reference]`],
        tax_behavior: behavior,
        tax_code: code,
      });
    }
    const sum = (inclusive: boolean) =>
      lines.filter((l) => (l.tax_behavior === "inclusive") === inclusive).reduce((n, l) => n + l.amount_tax, 0);
    const calc = {
      id,
      object: "tax.calculation",
      currency: form.currency,
      tax_amount_exclusive: sum(false),
      tax_amount_inclusive: sum(true),
      tax_breakdown: rate
        ? [
            {
              amount: sum(false) + sum(true),
              inclusive: lines[0]?.tax_behavior === "inclusive",
              tax_rate_details: {
                country,
                state: where.includes("-") ? state : null,
                percentage_decimal: String(rate.bp / 100),
                tax_type: "sales_tax",
              },
            },
          ]
        : [],
      line_items: {
        object: "list",
        data: lines.slice(0, 10),
        has_more: lines.length > 10,
        url: `/v1/tax/calculations/${id}/line_items`,
      },
    };
    this.calculations.set(id, { ...calc, all: lines });
    return { status: 200, body: calc };
  }
}
