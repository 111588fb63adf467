import { sha256Hex } from "../../lib/crypto";
import type {
  CaptureRequest,
  CaptureResult,
  ChargeRequest,
  ChargeResult,
  PaymentProvider,
  RefundRequest,
  RefundResult,
  SaveMethodResult,
} from "./provider";

/**
 * A local provider that answers like Stripe's test mode, for `npm start` and
 * tests: `pm_card_visa` (and the other `pm_card_<brand>` ids) succeed,
 * `pm_card_chargeDeclined*` are declined, `pm_card_authenticationRequired`
 * needs 3-D Secure (the order stays `pending_payment` until
 * `POST /payments/pay` completes it). References are derived from the
 * idempotency key, so a retried call returns the same reference, as Stripe's
 * idempotency does.
 *
 * A manual charge is an authorisation: this isolate remembers what each one holds, captured and let
 * go, and refuses a capture past it or after a release, as Stripe does. (An authorisation it never
 * saw, after a restart of `npm start`, is taken as holding whatever is asked.)
 */
const SUCCEEDS = /^pm_card_(visa|visa_debit|mastercard|mastercard_debit|amex|discover|diners|jcb|unionpay|us|ca|gb)$/;
const DECLINES = /^pm_card_(chargeDeclined\w*|visa_chargeDeclined\w*)$/;
const NEEDS_ACTION = /^pm_card_(authenticationRequired|threeDSecure2Required|authenticationRequiredOnSetup)$/;
/**
 * Methods that finish away from the store: a bank redirect, a wallet app and PayPal (which the
 * test provider stands in for when PAYMENT_PROVIDER is test). Each needs a
 * `return_url`; the buyer is sent to the local stand-in for the bank
 * (GET /payments/test-provider/authorize/{ref}), approves or declines there, and comes back.
 */
const REDIRECTS = /^(pm_test_(redirect_bank|wallet_app)|paypal)$/;

async function ref(prefix: string, key: string): Promise<string> {
  return `${prefix}_test_${(await sha256Hex(key)).slice(0, 24)}`;
}

interface Authorisation {
  amount: number;
  captured: number;
  released: boolean;
  captures: Map<string, string>;
}
const authorisations = new Map<string, Authorisation>();

/** Redirect payments awaiting the buyer: where to send them back, and what they chose at the "bank". */
const redirects = new Map<
  string,
  { returnUrl: string; state: "pending" | "approved" | "declined"; amount: number; capture: "automatic" | "manual" }
>();

/** The local bank page's side (routes/payments-test.ts): the buyer approved or declined; answers where to send them back. */
export function decideTestRedirect(ref: string, approve: boolean): string | null {
  const r = redirects.get(ref);
  if (!r) return null;
  if (r.state === "pending") r.state = approve ? "approved" : "declined";
  if (r.state === "approved" && r.capture === "manual" && !authorisations.has(ref))
    authorisations.set(ref, { amount: r.amount, captured: 0, released: false, captures: new Map() });
  const back = new URL(r.returnUrl);
  back.searchParams.set("payment_ref", ref);
  back.searchParams.set("redirect_status", r.state === "approved" ? "succeeded" : "failed");
  return back.toString();
}

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const id = await ref("pi", req.idempotencyKey);
    if (SUCCEEDS.test(req.paymentMethod)) {
      if (req.capture === "manual" && !authorisations.has(id))
        authorisations.set(id, { amount: req.amount, captured: 0, released: false, captures: new Map() });
      return { status: "succeeded", ref: id };
    }
    if (NEEDS_ACTION.test(req.paymentMethod)) {
      // Authorised once the buyer authenticates (confirm), for this amount.
      if (req.capture === "manual" && !authorisations.has(id))
        authorisations.set(id, { amount: req.amount, captured: 0, released: false, captures: new Map() });
      return { status: "requires_action", ref: id, clientSecret: `${id}_secret_test` };
    }
    if (REDIRECTS.test(req.paymentMethod)) {
      if (!req.returnUrl)
        return {
          status: "declined",
          ref: null,
          code: "return_url_required",
          message: "This payment method needs a return_url",
        };
      if (!redirects.has(id))
        redirects.set(id, {
          returnUrl: req.returnUrl,
          state: "pending",
          amount: req.amount,
          capture: req.capture ?? "automatic",
        });
      return {
        status: "requires_action",
        ref: id,
        clientSecret: `${id}_secret_test`,
        nextAction: { type: "redirect_to_url", url: `/payments/test-provider/authorize/${id}` },
      };
    }
    if (DECLINES.test(req.paymentMethod))
      return { status: "declined", ref: id, code: "card_declined", message: "Your card was declined." };
    return {
      status: "declined",
      ref: null,
      code: "resource_missing",
      message: `No such PaymentMethod: '${req.paymentMethod}'`,
    };
  }

  async confirm(paymentRef: string, paymentMethod: string, idempotencyKey: string): Promise<ChargeResult> {
    const result = await this.charge({
      amount: 0,
      currency: "usd",
      paymentMethod,
      idempotencyKey: `${paymentRef}:${idempotencyKey}`,
      orderId: "",
      userId: "",
    });
    // The same PaymentIntent, as Stripe's confirm answers.
    return result.status === "succeeded" ? { status: "succeeded", ref: paymentRef } : result;
  }

  /** Pays out at once (the test provider models a transfer that succeeds). */
  async payout(req: { payoutId: string }): Promise<{ ok: boolean; ref?: string }> {
    return { ok: true, ref: await ref("tr", req.payoutId) };
  }

  /** Nothing to detach locally; recorded by tests that override it. */
  async detach(_paymentMethodRef: string): Promise<void> {}

  /** Stripe's test cards' display data: brand and last 4 digits; a declining card cannot be saved. */
  async saveMethod(req: {
    userId: string;
    customerRef: string | null;
    paymentMethod: string;
  }): Promise<SaveMethodResult> {
    const brand = /^pm_card_(visa|mastercard|amex|discover|diners|jcb|unionpay)/.exec(req.paymentMethod)?.[1];
    if (!brand || DECLINES.test(req.paymentMethod))
      return { status: "declined", code: "card_declined", message: "This card cannot be saved" };
    const last4 = {
      visa: "4242",
      mastercard: "4444",
      amex: "8431",
      discover: "1117",
      diners: "0004",
      jcb: "0000",
      unionpay: "0005",
    }[brand]!;
    return {
      status: "saved",
      customerRef: req.customerRef ?? (await ref("cus", req.userId)),
      // Stripe makes a new PaymentMethod from a test id; here the test id itself charges again.
      methodRef: req.paymentMethod,
      card: { brand, last4, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3 },
    };
  }

  async retrieve(ref: string): Promise<ChargeResult> {
    const r = redirects.get(ref);
    if (!r || r.state === "pending") return { status: "requires_action", ref, clientSecret: `${ref}_secret_test` };
    if (r.state === "declined")
      return { status: "declined", ref, code: "payment_method_declined", message: "The buyer declined at their bank" };
    return { status: "succeeded", ref };
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    const auth = authorisations.get(req.paymentRef);
    const done = auth?.captures.get(req.idempotencyKey);
    if (done) return { status: "succeeded", ref: done };
    if (auth?.released)
      return { status: "failed", code: "payment_intent_unexpected_state", message: "The authorisation was released" };
    if (auth && auth.captured + req.amount > auth.amount)
      return { status: "failed", code: "amount_too_large", message: "More than is left of the authorisation" };
    const id = await ref("ch", req.idempotencyKey);
    if (auth) {
      auth.captured += req.amount;
      auth.captures.set(req.idempotencyKey, id);
      if (req.final) auth.released = true;
    }
    return { status: "succeeded", ref: id };
  }

  async release(paymentRef: string, _idempotencyKey: string): Promise<void> {
    const auth = authorisations.get(paymentRef);
    if (auth) auth.released = true;
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    return { status: "succeeded", ref: await ref("re", req.idempotencyKey) };
  }
}
