import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns";

// ---- auth module (src/services/auth.ts) -------------------------------------
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    /** All tokens descended from one login share a family; reuse of a retired one revokes it. */
    familyId: text("family_id").notNull(),
    /** SHA-256 of the secret part; the secret itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when the token was exchanged for a new pair (rotation). */
    usedAt: integer("used_at"),
    revokedAt: integer("revoked_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    index("refresh_tokens_user_idx").on(t.userId),
    index("refresh_tokens_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Single-use account tokens sent by email: verify an address, confirm an email change, reset a
 * password. Only the SHA-256 of the token is stored; each lives 15 minutes and is spent once.
 * Lives in the user's own database.
 */
export const accountTokens = sqliteTable(
  "account_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    purpose: text("purpose", { enum: ["verify_email", "change_email", "reset_password"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** For change_email: the address that becomes the user's when confirmed. */
    newEmail: text("new_email"),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_tokens_hash_uq").on(t.tokenHash),
    index("account_tokens_user_idx").on(t.userId, t.purpose),
  ],
);
