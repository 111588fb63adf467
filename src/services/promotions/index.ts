/**
 * Promotions: coupons and their budgets. The cart asks `evaluate` what a set of
 * codes is worth for its lines; checkout `redeem`s (atomically against the
 * total and per-customer limits) before charging and `unredeem`s if the charge
 * fails.
 *
 * The public module. Its files: coupons (coupons.ts), what they are worth for a cart
 * (evaluate.ts), and their uses (redemptions.ts).
 */
export * from "./coupons";
export * from "./evaluate";
export * from "./redemptions";
