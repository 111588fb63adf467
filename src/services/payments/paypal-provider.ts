import { MINOR_UNITS } from "../../lib/currency";
import {
  type CaptureRequest,
  type CaptureResult,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  ProviderUnavailable,
  type RefundRequest,
  type RefundResult,
  type SaveMethodResult,
} from "./provider";

/**
 * PayPal through its REST Orders v2 API (payment_method "paypal"), behind the same interface as
 * Stripe. A charge creates a PayPal order (intent AUTHORIZE under the on-shipment capture policy,
 * else CAPTURE) and answers `requires_action` with the buyer's approval link; once the buyer
 * approves (the return, or the CHECKOUT.ORDER.APPROVED webhook), `retrieve` authorises or
 * captures it. Shipments capture the authorisation in parts (final_capture on the last), a
 * release voids it, refunds go against its captures. Every write sends a PayPal-Request-Id, so a
 * retried step is answered with the first result. The OAuth token is kept per isolate until it expires.
 */

type Fetch = typeof fetch;
interface Token {
  value: string;
  until: number;
}
const tokens = new Map<string, Token>();

/** Minor units to PayPal's decimal string ("12.34"; yen has no decimals). */
export function paypalValue(amount: number, currency: string): string {
  const digits = MINOR_UNITS[currency as keyof typeof MINOR_UNITS] ?? 2;
  if (digits === 0) return String(amount);
  const s = String(Math.abs(amount)).padStart(digits + 1, "0");
  return `${amount < 0 ? "-" : ""}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

interface PayPalOrder {
  id: string;
  status: string;
  intent?: string;
  links?: { rel: string; href: string }[];
  purchase_units?: {
    amount?: { currency_code: string; value: string };
    payments?: {
      authorizations?: { id: string; status: string }[];
      captures?: { id: string; status: string; amount: { value: string } }[];
    };
  }[];
}

export class PayPalPaymentProvider implements PaymentProvider {
  readonly name = "paypal";

  constructor(
    private readonly clientId: string,
    private readonly secret: string,
    private readonly apiBase: string,
    private readonly fetchFn: Fetch = fetch,
  ) {}

  private async token(): Promise<string> {
    const key = `${this.apiBase}:${this.clientId}`;
    const held = tokens.get(key);
    if (held && held.until > Date.now() + 60_000) return held.value;
    const res = await this.send("POST", "/v1/oauth2/token", "grant_type=client_credentials", {
      authorization: `Basic ${btoa(`${this.clientId}:${this.secret}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    });
    if (!res.ok) throw new ProviderUnavailable(`PayPal refused the credentials (${res.status})`);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    tokens.set(key, { value: body.access_token, until: Date.now() + body.expires_in * 1000 });
    return body.access_token;
  }

  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
    try {
      const res = await this.fetchFn(`${this.apiBase}${path}`, { method, headers, body });
      if (res.status >= 500) throw new ProviderUnavailable(`PayPal answered ${res.status}`);
      return res;
    } catch (err) {
      if (err instanceof ProviderUnavailable) throw err;
      throw new ProviderUnavailable(err instanceof Error ? err.message : String(err));
    }
  }

  /** One API call with the bearer token; `requestId` makes a write idempotent at PayPal. */
  private async api<T>(
    method: string,
    path: string,
    body?: unknown,
    requestId?: string,
  ): Promise<{ ok: boolean; status: number; body: T }> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), {
      authorization: `Bearer ${await this.token()}`,
      "content-type": "application/json",
      prefer: "return=representation",
      ...(requestId ? { "paypal-request-id": requestId.slice(0, 108) } : {}),
    });
    const text = await res.text();
    return { ok: res.ok, status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    if (!req.returnUrl)
      return { status: "declined", ref: null, code: "return_url_required", message: "PayPal needs a return_url" };
    const res = await this.api<PayPalOrder & { message?: string; name?: string }>(
      "POST",
      "/v2/checkout/orders",
      {
        intent: req.capture === "manual" ? "AUTHORIZE" : "CAPTURE",
        purchase_units: [
          {
            reference_id: req.orderId,
            custom_id: req.orderId,
            amount: { currency_code: req.currency.toUpperCase(), value: paypalValue(req.amount, req.currency) },
          },
        ],
        payment_source: {
          paypal: {
            experience_context: { return_url: req.returnUrl, cancel_url: req.returnUrl, user_action: "PAY_NOW" },
          },
        },
      },
      req.idempotencyKey,
    );
    if (!res.ok)
      return {
        status: "declined",
        ref: null,
        code: res.body.name ?? "paypal_error",
        message: res.body.message ?? "PayPal refused the order",
      };
    const approve = res.body.links?.find((l) => l.rel === "payer-action" || l.rel === "approve")?.href;
    if (!approve)
      return {
        status: "declined",
        ref: res.body.id,
        code: "no_approval_link",
        message: "PayPal gave no approval link",
      };
    return {
      status: "requires_action",
      ref: res.body.id,
      clientSecret: "",
      nextAction: { type: "redirect_to_url", url: approve },
    };
  }

  /** PayPal has no confirm-with-another-method: a new attempt is a new PayPal order. */
  async confirm(ref: string): Promise<ChargeResult> {
    return this.retrieve(ref);
  }

  /** Where the PayPal order stands; an approved one is authorised (or captured) now, once. */
  async retrieve(ref: string): Promise<ChargeResult> {
    const got = await this.api<PayPalOrder>("GET", `/v2/checkout/orders/${encodeURIComponent(ref)}`);
    if (!got.ok)
      return { status: "declined", ref, code: "paypal_order_missing", message: "PayPal does not know this order" };
    let order = got.body;
    if (order.status === "APPROVED") {
      const step = order.intent === "AUTHORIZE" ? "authorize" : "capture";
      const done = await this.api<PayPalOrder & { message?: string; name?: string }>(
        "POST",
        `/v2/checkout/orders/${encodeURIComponent(ref)}/${step}`,
        {},
        `${step}:${ref}`,
      );
      if (!done.ok)
        return {
          status: "declined",
          ref,
          code: done.body.name ?? "paypal_declined",
          message: done.body.message ?? "PayPal declined the payment",
        };
      order = done.body;
    }
    if (order.status === "COMPLETED") return { status: "succeeded", ref };
    if (order.status === "VOIDED")
      return { status: "declined", ref, code: "voided", message: "The PayPal payment was voided" };
    return { status: "requires_action", ref, clientSecret: "" };
  }

  /** The order's authorisation and currency (the amounts of captures and refunds are in it). */
  private async authorizationOf(ref: string): Promise<{ id: string | null; currency: string; order: PayPalOrder }> {
    const got = await this.api<PayPalOrder>("GET", `/v2/checkout/orders/${encodeURIComponent(ref)}`);
    const unit = got.body.purchase_units?.[0];
    return {
      id: unit?.payments?.authorizations?.[0]?.id ?? null,
      currency: (unit?.amount?.currency_code ?? "USD").toLowerCase(),
      order: got.body,
    };
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    const auth = await this.authorizationOf(req.paymentRef);
    if (!auth.id) return { status: "failed", code: "not_authorized", message: "The PayPal order has no authorisation" };
    const money = { currency_code: auth.currency.toUpperCase(), value: paypalValue(req.amount, auth.currency) };
    const res = await this.api<{ id: string; status: string; message?: string; name?: string }>(
      "POST",
      `/v2/payments/authorizations/${auth.id}/capture`,
      { amount: money, final_capture: req.final },
      req.idempotencyKey,
    );
    if (!res.ok)
      return {
        status: "failed",
        code: res.body.name ?? "capture_failed",
        message: res.body.message ?? "PayPal refused the capture",
      };
    return { status: "succeeded", ref: res.body.id };
  }

  async release(paymentRef: string, idempotencyKey: string): Promise<void> {
    const auth = await this.authorizationOf(paymentRef);
    // Nothing authorised (captured at once, or never approved): nothing to let go.
    if (!auth.id) return;
    await this.api("POST", `/v2/payments/authorizations/${auth.id}/void`, {}, idempotencyKey);
  }

  /** Refunds against the order's captures, newest first, until the amount is covered. */
  async refund(req: RefundRequest): Promise<RefundResult> {
    const { order, currency } = await this.authorizationOf(req.paymentRef);
    const captures = [...(order.purchase_units?.[0]?.payments?.captures ?? [])].reverse();
    const minor = (value: string) =>
      Math.round(Number(value) * 10 ** (MINOR_UNITS[currency as keyof typeof MINOR_UNITS] ?? 2));
    if (captures.length === 0)
      return { status: "failed", code: "not_captured", message: "Nothing was captured on this PayPal order" };
    let left = req.amount;
    let last = "";
    for (const [n, c] of captures.entries()) {
      if (left <= 0) break;
      const part = Math.min(left, minor(c.amount.value));
      if (part <= 0) continue;
      const res = await this.api<{ id: string; status: string; message?: string; name?: string }>(
        "POST",
        `/v2/payments/captures/${c.id}/refund`,
        { amount: { currency_code: currency.toUpperCase(), value: paypalValue(part, currency) } },
        `${req.idempotencyKey}:${n}`,
      );
      if (!res.ok)
        return {
          status: "failed",
          code: res.body.name ?? "refund_failed",
          message: res.body.message ?? "PayPal refused the refund",
        };
      last = res.body.id;
      left -= part;
    }
    return { status: "succeeded", ref: last };
  }

  /** PayPal vaulting is not offered: saved methods are cards on Stripe. */
  async saveMethod(): Promise<SaveMethodResult> {
    return {
      status: "declined",
      code: "unsupported",
      message: "PayPal accounts are not saved; pay with PayPal at checkout",
    };
  }

  async detach(): Promise<void> {}

  async payout(): Promise<{ ok: boolean; message?: string }> {
    return { ok: false, message: "Seller payouts go through Stripe Connect" };
  }

  /** The PayPal order a capture belongs to (a dispute names the capture, not the order). */
  async orderOfCapture(captureId: string): Promise<string | null> {
    const got = await this.api<{ supplementary_data?: { related_ids?: { order_id?: string } } }>(
      "GET",
      `/v2/payments/captures/${encodeURIComponent(captureId)}`,
    );
    return got.ok ? (got.body.supplementary_data?.related_ids?.order_id ?? null) : null;
  }

  /** PayPal's own signature check of a webhook (verify-webhook-signature), with the webhook's id. */
  async verifyWebhook(headers: Headers, event: unknown, webhookId: string): Promise<boolean> {
    const res = await this.api<{ verification_status?: string }>("POST", "/v1/notifications/verify-webhook-signature", {
      auth_algo: headers.get("paypal-auth-algo"),
      cert_url: headers.get("paypal-cert-url"),
      transmission_id: headers.get("paypal-transmission-id"),
      transmission_sig: headers.get("paypal-transmission-sig"),
      transmission_time: headers.get("paypal-transmission-time"),
      webhook_id: webhookId,
      webhook_event: event,
    });
    return res.ok && res.body.verification_status === "SUCCESS";
  }
}
