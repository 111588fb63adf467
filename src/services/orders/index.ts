/**
 * Orders, the public module. The domain owns `orders`, `order_items` and `order_index`. An order holds the items
 * of every seller in the cart; each seller fulfils (and sees) only their own
 * items, like a seller sub-order. Status moves follow one state machine, and
 * every move writes an `order.*` event in the same D1 batch.
 *
 * An order and everything about it live in the database its id hashes to;
 * lists by buyer or seller read `order_index` (src/db/shards.ts).
 *
 * Its files: the rows, events and who may see an order (model.ts); where an order lives (locate.ts);
 * the checkout's write of a new order (writes.ts); reads and the API shape (reads.ts); status moves
 * (transition.ts); the order's side of a payment attempt (payment-lock.ts) and of a refund
 * (refund-claims.ts); operators' figures and the unpaid-order sweep's list (health.ts), the drift report's revenue (revenue.ts), and
 * the data export and erasure (privacy.ts). Fulfilment (src/services/fulfilment.ts) is a workflow
 * over orders, payments and checkout, so it lives beside them.
 */
export * from "./model";
export { indexOrder, newOrderWrites } from "./writes";
export * from "./reads";
export { transition } from "./transition";
export * from "./privacy";
export { orderHealth, overdueUnpaidOrders } from "./health";
export { attemptLeftUnpaid, lockForPayment, unlockPayment } from "./payment-lock";
export { claimRefund, refundedLinesUpdate, releaseRefundClaim } from "./refund-claims";
export { paidRevenueBySeller } from "./revenue";
