import Stripe from "stripe";
import { stripeClient } from "../../lib/stripe-client";
import {
  type CaptureRequest,
  type CaptureResult,
  ProviderUnavailable,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
  type SaveMethodResult,
} from "./provider";

/**
 * Payments through Stripe, with the client from lib/stripe-client.ts. Stripe through the official SDK with its fetch HTTP client (no Node http in
 * Workers). Charges are PaymentIntents created and confirmed in one call, with
 * our idempotency key passed through, so a retried checkout step returns the
 * same PaymentIntent instead of charging again.
 */

function unavailable(err: unknown): never {
  throw new ProviderUnavailable(err instanceof Error ? err.message : String(err));
}

function fromIntent(pi: Stripe.PaymentIntent): ChargeResult {
  // requires_capture: a manual charge, authorised and waiting for its sellers' shipments.
  if (pi.status === "succeeded" || pi.status === "processing" || pi.status === "requires_capture")
    return { status: "succeeded", ref: pi.id };
  if (pi.status === "requires_action" || pi.status === "requires_confirmation") {
    const redirect = pi.next_action?.redirect_to_url?.url;
    return {
      status: "requires_action",
      ref: pi.id,
      clientSecret: pi.client_secret ?? "",
      nextAction: redirect
        ? { type: "redirect_to_url", url: redirect }
        : { type: "use_stripe_sdk", client_secret: pi.client_secret ?? "" },
    };
  }
  return {
    status: "declined",
    ref: pi.id,
    code: pi.last_payment_error?.decline_code ?? pi.last_payment_error?.code ?? "payment_failed",
    message: pi.last_payment_error?.message ?? "The payment did not succeed",
  };
}

function declined(err: unknown): ChargeResult | null {
  if (
    err instanceof Stripe.errors.StripeCardError ||
    (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing")
  ) {
    const e = err as Stripe.errors.StripeError;
    return {
      status: "declined",
      ref: (e.raw as { payment_intent?: { id?: string } })?.payment_intent?.id ?? null,
      code: e.decline_code ?? e.code ?? "card_declined",
      message: e.message,
    };
  }
  return null;
}

export class StripePaymentProvider implements PaymentProvider {
  readonly name = "stripe";
  private readonly stripe: Stripe;

  /** `fetchFn` lets tests point the SDK at a double that speaks Stripe's wire format. */
  constructor(secretKey: string, apiBase?: string, fetchFn?: typeof fetch) {
    this.stripe = stripeClient(secretKey, apiBase, fetchFn);
  }

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: req.amount,
          currency: req.currency,
          payment_method: req.paymentMethod,
          confirm: true,
          // With a return_url, methods that redirect (bank redirects, wallets, 3-D Secure pages) are offered too.
          ...(req.returnUrl
            ? { automatic_payment_methods: { enabled: true }, return_url: req.returnUrl }
            : { automatic_payment_methods: { enabled: true, allow_redirects: "never" as const } }),
          ...(req.capture === "manual"
            ? {
                capture_method: "manual" as const,
                // One capture per seller's shipment; where the card network cannot, the first capture takes it all.
                payment_method_options: { card: { request_multicapture: "if_available" as const } },
              }
            : {}),
          metadata: { order_id: req.orderId, user_id: req.userId },
          // A saved method is charged on the buyer's customer, without them (a card that insists on
          // authentication then answers requires_action, finished by POST /payments/pay).
          ...(req.customer ? { customer: req.customer, off_session: true } : {}),
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return fromIntent(pi);
    } catch (err) {
      return declined(err) ?? unavailable(err);
    }
  }

  async confirm(ref: string, paymentMethod: string, idempotencyKey: string): Promise<ChargeResult> {
    try {
      return fromIntent(
        await this.stripe.paymentIntents.confirm(ref, { payment_method: paymentMethod }, { idempotencyKey }),
      );
    } catch (err) {
      return declined(err) ?? unavailable(err);
    }
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    try {
      const r = await this.stripe.refunds.create(
        { payment_intent: req.paymentRef, amount: req.amount },
        { idempotencyKey: req.idempotencyKey },
      );
      if (r.status === "failed" || r.status === "canceled")
        return { status: "failed", code: r.failure_reason ?? "refund_failed", message: "The refund failed" };
      return { status: "succeeded", ref: r.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError)
        return { status: "failed", code: err.code ?? "invalid_request", message: err.message };
      unavailable(err);
    }
  }

  async saveMethod(req: {
    userId: string;
    customerRef: string | null;
    paymentMethod: string;
  }): Promise<SaveMethodResult> {
    try {
      const customer =
        req.customerRef ??
        (
          await this.stripe.customers.create(
            { metadata: { user_id: req.userId } },
            { idempotencyKey: `customer:${req.userId}` },
          )
        ).id;
      // A SetupIntent attaches the method to the customer, authorised for later off-session charges.
      const setup = await this.stripe.setupIntents.create({
        customer,
        payment_method: req.paymentMethod,
        confirm: true,
        usage: "off_session",
        automatic_payment_methods: { enabled: true, allow_redirects: "never" },
      });
      if (setup.status !== "succeeded")
        return {
          status: "declined",
          code: setup.last_setup_error?.code ?? setup.status,
          message: setup.last_setup_error?.message ?? "The card needs authentication to be saved",
        };
      const pmId =
        typeof setup.payment_method === "string"
          ? setup.payment_method
          : (setup.payment_method?.id ?? req.paymentMethod);
      const pm = await this.stripe.paymentMethods.retrieve(pmId);
      return {
        status: "saved",
        customerRef: customer,
        methodRef: pm.id,
        card: pm.card
          ? { brand: pm.card.brand, last4: pm.card.last4, exp_month: pm.card.exp_month, exp_year: pm.card.exp_year }
          : null,
      };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeCardError || err instanceof Stripe.errors.StripeInvalidRequestError)
        return { status: "declined", code: err.code ?? "card_declined", message: err.message };
      unavailable(err);
    }
  }

  async retrieve(ref: string): Promise<ChargeResult> {
    try {
      return fromIntent(await this.stripe.paymentIntents.retrieve(ref));
    } catch (err) {
      return declined(err) ?? unavailable(err);
    }
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    try {
      const pi = await this.stripe.paymentIntents.capture(
        req.paymentRef,
        { amount_to_capture: req.amount, final_capture: req.final },
        { idempotencyKey: req.idempotencyKey },
      );
      return { status: "succeeded", ref: typeof pi.latest_charge === "string" ? pi.latest_charge : pi.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError || err instanceof Stripe.errors.StripeCardError)
        return { status: "failed", code: err.code ?? "capture_failed", message: err.message };
      unavailable(err);
    }
  }

  async release(paymentRef: string, idempotencyKey: string): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(paymentRef, {}, { idempotencyKey });
    } catch (err) {
      // Already captured in full, or cancelled: nothing is left to let go.
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return;
      unavailable(err);
    }
  }

  async detach(paymentMethodRef: string): Promise<void> {
    try {
      await this.stripe.paymentMethods.detach(paymentMethodRef);
    } catch (err) {
      // Already detached, or never attached to a customer: nothing left to do.
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return;
      unavailable(err);
    }
  }

  async payout(req: {
    payoutId: string;
    amount: number;
    currency: string;
    destination: string | null;
  }): Promise<{ ok: boolean; ref?: string; message?: string }> {
    // A seller without a connected account cannot be paid yet; the payout is reversed and retried later.
    if (!req.destination) return { ok: false, message: "the seller has no connected payout account" };
    try {
      const t = await this.stripe.transfers.create(
        { amount: req.amount, currency: req.currency, destination: req.destination },
        { idempotencyKey: `payout:${req.payoutId}` },
      );
      return { ok: true, ref: t.id };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return { ok: false, message: err.message };
      unavailable(err);
    }
  }
}
