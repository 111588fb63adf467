import { sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";

// ---- users module (src/services/users.ts) ----------------------------------
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Stored lower-cased; uniqueness is case-insensitive by construction. */
    email: text("email").notNull(),
    username: text("username").notNull(),
    /** Lower-cased username, for case-insensitive uniqueness. */
    usernameKey: text("username_key").notNull(),
    phoneNumber: text("phone_number"),
    role: text("role", { enum: ["buyer", "seller", "admin"] }).notNull(),
    /** `scrypt$N$r$p$salt$hash`: parameters travel with the hash so they can be raised later. */
    passwordHash: text("password_hash").notNull(),
    /** When the address was proven by a mailed token; null until then. */
    emailVerifiedAt: text("email_verified_at"),
    /** Set by an admin: the account cannot sign in or refresh until it is cleared. */
    suspendedAt: text("suspended_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), uniqueIndex("users_username_key_uq").on(t.usernameKey)],
);

/**
 * Users live in the database their id hashes to (src/db/shards.ts). An email
 * or username is unique across all of them through this table: one row per
 * `email:<address>` / `username:<name>`, in the database the key hashes to,
 * claimed before the user is written. Login finds the user id here.
 */
export const userKeys = sqliteTable("user_keys", {
  key: text("key").primaryKey(),
  userId: text("user_id").notNull(),
});
