import { sha256Hex } from "../../lib/crypto";
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from "./provider";

/**
 * A local provider that answers like Stripe's test mode, for `npm start` and
 * tests: `pm_card_visa` (and the other `pm_card_<brand>` ids) succeed,
 * `pm_card_chargeDeclined*` are declined, `pm_card_authenticationRequired`
 * needs 3-D Secure (the order stays `pending_payment` until
 * `POST /payments/pay` completes it). References are derived from the
 * idempotency key, so a retried call returns the same reference, as Stripe's
 * idempotency does.
 */
const SUCCEEDS = /^pm_card_(visa|visa_debit|mastercard|mastercard_debit|amex|discover|diners|jcb|unionpay|us|ca|gb)$/;
const DECLINES = /^pm_card_(chargeDeclined\w*|visa_chargeDeclined\w*)$/;
const NEEDS_ACTION = /^pm_card_(authenticationRequired|threeDSecure2Required|authenticationRequiredOnSetup)$/;

async function ref(prefix: string, key: string): Promise<string> {
  return `${prefix}_test_${(await sha256Hex(key)).slice(0, 24)}`;
}

export class TestPaymentProvider implements PaymentProvider {
  readonly name = "test";

  async charge(req: ChargeRequest): Promise<ChargeResult> {
    const id = await ref("pi", req.idempotencyKey);
    if (SUCCEEDS.test(req.paymentMethod)) return { status: "succeeded", ref: id };
    if (NEEDS_ACTION.test(req.paymentMethod))
      return { status: "requires_action", ref: id, clientSecret: `${id}_secret_test` };
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
    return this.charge({
      amount: 0,
      currency: "usd",
      paymentMethod,
      idempotencyKey: `${paymentRef}:${idempotencyKey}`,
      orderId: "",
      userId: "",
    });
  }

  /** Pays out at once (the test provider models a transfer that succeeds). */
  async payout(req: { payoutId: string }): Promise<{ ok: boolean; ref?: string }> {
    return { ok: true, ref: await ref("tr", req.payoutId) };
  }

  /** Nothing to detach locally; recorded by tests that override it. */
  async detach(_paymentMethodRef: string): Promise<void> {}

  async refund(req: RefundRequest): Promise<RefundResult> {
    return { status: "succeeded", ref: await ref("re", req.idempotencyKey) };
  }
}
