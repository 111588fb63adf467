import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

// ---- wallet module (src/services/wallet.ts) ---------------------------------
/** Store credit is a ledger: append-only entries; the balance is their sum. */
export const walletEntries = sqliteTable(
  "wallet_entries",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** Signed minor units. */
    amount: integer("amount").notNull(),
    kind: text("kind", { enum: ["refund_credit", "checkout_debit", "checkout_reversal", "admin_credit"] }).notNull(),
    /** What caused it (order or refund id); (kind, ref) is unique so a retried step writes once. */
    ref: text("ref").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("wallet_entries_user_idx").on(t.userId, t.id), uniqueIndex("wallet_entries_ref_uq").on(t.kind, t.ref)],
);

/** Saved payment methods: provider ids only, encrypted with AES-GCM under WALLET_KEY. */
export const walletMethods = sqliteTable(
  "wallet_methods",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** base64url(iv || ciphertext) of the provider id. */
    encryptedRef: text("encrypted_ref").notNull(),
    label: text("label"),
    /** Display data from the provider (never the card number): brand, last 4 digits, expiry. */
    brand: text("brand"),
    last4: text("last4"),
    expMonth: integer("exp_month"),
    expYear: integer("exp_year"),
    createdAt: createdAt(),
  },
  (t) => [index("wallet_methods_user_idx").on(t.userId)],
);

/** Each buyer's customer at the payment provider (Stripe Customer), which their saved methods are attached to. */
export const walletCustomers = sqliteTable("wallet_customers", {
  userId: text("user_id").primaryKey(),
  provider: text("provider").notNull(),
  customerRef: text("customer_ref").notNull(),
  createdAt: createdAt(),
});
