/**
 * Returns, the public module. Returns (RMA): the buyer asks to send back some delivered units of one seller's lines, within
 * the return window; the seller (or an admin) approves with a label or rejects with a note; the
 * buyer adds the tracking number; the seller marks the units received with their condition.
 * Sellable units go back to stock, and the refund is issued then (not before): the money moves
 * only for goods that came back. Each step tells the other side.
 *
 *   requested -> approved -> in_transit -> refunded (received, refund issued)
 *   requested -> rejected
 *
 * Its files: rows, reads and the guarded move (records.ts), opening a return (request.ts), and the
 * steps after it (moves.ts).
 */
export { getReturn, listReturns, toReturn } from "./records";
export { openReturnForRefund, requestReturn } from "./request";
export { addReturnTracking, approveReturn, receiveReturn, rejectReturn } from "./moves";
