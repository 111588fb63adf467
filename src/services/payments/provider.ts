/**
 * The payments seam. Checkout talks to a provider through this interface only;
 * `test` runs locally and in tests, `stripe` talks to Stripe. Every call takes
 * an idempotency key that the provider honours, so a retried step never
 * charges or refunds twice.
 */
export interface ChargeRequest {
  amount: number;
  currency: string;
  paymentMethod: string;
  idempotencyKey: string;
  orderId: string;
  userId: string;
  /** `manual`: authorise only; the money moves when `capture` is called (per seller shipment). */
  capture?: "automatic" | "manual";
  /** A saved method is charged on its customer, off-session (the buyer is not there to authenticate). */
  customer?: string;
  /** Where the buyer comes back after a redirect (bank, wallet, PayPal); without it only methods that need none work. */
  returnUrl?: string;
}

/** What the buyer does to finish a payment: follow a redirect, or confirm with the provider's SDK or app. */
type NextAction = { type: "redirect_to_url"; url: string } | { type: "use_stripe_sdk"; client_secret: string };

export type ChargeResult =
  | { status: "succeeded"; ref: string }
  | { status: "requires_action"; ref: string; clientSecret: string; nextAction?: NextAction }
  | { status: "declined"; ref: string | null; code: string; message: string };

export interface RefundRequest {
  paymentRef: string;
  amount: number;
  idempotencyKey: string;
}

export type RefundResult = { status: "succeeded"; ref: string } | { status: "failed"; code: string; message: string };

export interface CaptureRequest {
  paymentRef: string;
  amount: number;
  /** The last capture of this authorisation: the provider lets the rest go. */
  final: boolean;
  idempotencyKey: string;
}

export type CaptureResult = { status: "succeeded"; ref: string } | { status: "failed"; code: string; message: string };

/** A method saved for reuse: attached to the buyer's customer at the provider, with what may be shown of it. */
export type SaveMethodResult =
  | {
      status: "saved";
      customerRef: string;
      methodRef: string;
      card: { brand: string; last4: string; exp_month: number; exp_year: number } | null;
    }
  | { status: "declined"; code: string; message: string };

export interface PaymentProvider {
  readonly name: string;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  /** Completes a charge that needed customer action (3-D Secure) with a payment method. */
  confirm(ref: string, paymentMethod: string, idempotencyKey: string): Promise<ChargeResult>;
  refund(req: RefundRequest): Promise<RefundResult>;
  /** Where a payment stands now at the provider (after the buyer came back from a redirect). */
  retrieve(ref: string): Promise<ChargeResult>;
  /** Captures part of a manual authorisation (one seller's shipment). */
  capture(req: CaptureRequest): Promise<CaptureResult>;
  /** Lets go of what is still authorised and uncaptured (Stripe: cancels the PaymentIntent); done ones are fine. */
  release(paymentRef: string, idempotencyKey: string): Promise<void>;
  /**
   * Saves a method for reuse off-session: the buyer's customer is made when they have none
   * (`customerRef` null), and the method is attached to it by a SetupIntent.
   */
  saveMethod(req: { userId: string; customerRef: string | null; paymentMethod: string }): Promise<SaveMethodResult>;
  /** Detaches a saved payment method from its customer (an account erasure); unknown ones are fine. */
  detach(paymentMethodRef: string): Promise<void>;
  /** Sends a seller's payout (a Stripe Connect transfer); idempotent by the payout id. */
  payout(req: {
    payoutId: string;
    amount: number;
    currency: string;
    destination: string | null;
  }): Promise<{ ok: boolean; ref?: string; message?: string }>;
}

/** Thrown when the provider cannot be reached or answers 5xx: the saga compensates, the client may retry. */
export class ProviderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderUnavailable";
  }
}
