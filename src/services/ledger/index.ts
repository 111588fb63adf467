/**
 * Seller money, the public module: a double-entry ledger fed by order events (postings.ts),
 * commission rules (commission.ts), balances and statements (statements.ts), payouts (payouts.ts)
 * and sellers' settings (settings.ts). accounts.ts holds the accounts and the one way to post.
 */
export { ledgerSum } from "./accounts";
export { postOrderEvent } from "./postings";
export { sellerBalance, sellerLedger, sellerPayouts, monthlyStatement, platformRevenue } from "./statements";
export { listCommissionRules, setCommissionRules } from "./commission";
export { runPayouts, setPayoutAccount, setPayoutHold } from "./payouts";
export { payoutSettings, sellerSettings, updateSellerSettings, setHoldDays } from "./settings";
