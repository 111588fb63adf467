/**
 * Payments, the public module: the provider (test, Stripe), paying an order, refunds and what a
 * refund gives back of tax and shipping. (Paying an order and the Stripe webhook are checkout's: src/services/checkout/.) Other modules import from here.
 */
export * from "./select";
export { createRefund, recordPendingRefund } from "./refunds";
export { listRefunds } from "./refund-list";
export { linePaid } from "./refund-tax";
export { captureLines, recordCaptures, recordOutsideCapture, releaseRemainder } from "./capture";
export {
  AUTHORISATION_WINDOW_MS,
  CapturePolicy,
  capturePolicy,
  setCapturePolicy,
} from "./capture-policy";
export {
  applyProviderDispute,
  applyProviderRefund,
  applyProviderRefundState,
  applyProviderRefundTotal,
  type ProviderEventOutcome,
} from "./provider-events";
export { dueParkedEvents, parkWebhookEvent, settleParked } from "./webhook-parking";
export { decideTestRedirect } from "./test-provider";
export { PayPalPaymentProvider } from "./paypal-provider";
