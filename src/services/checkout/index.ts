/**
 * Checkout, the public module: the workflow that turns a cart into a paid order (workflow.ts),
 * paying an order left awaiting payment (pay.ts), and Stripe's webhook, which completes payments
 * confirmed outside the request (stripe-webhook.ts). All three compose the same steps.
 */
export * from "./workflow";
export * from "./steps";
export { payOrder } from "./pay";
export { handleStripeWebhook } from "./stripe-webhook";
export { retryParkedWebhookEvents } from "./parked-retry";
export { returnFromProvider } from "./complete";
export { handlePayPalWebhook } from "./paypal-webhook";
