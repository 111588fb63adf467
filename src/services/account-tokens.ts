import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { accountTokens } from "../db/schema/auth";
import { onUserShard } from "../db/shards";
import { randomToken, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";

/**
 * Single-use account tokens mailed to an address: verify it, confirm an email change, reset a
 * password. A token is `<user id>.<32 random bytes>` (the user id says which database holds it);
 * only its SHA-256 is stored, it lives 15 minutes, and it is spent by one conditional UPDATE, so
 * two racing uses cannot both succeed. Issuing a new token of a purpose retires the older ones.
 */
const ACCOUNT_TOKEN_TTL_MS = 15 * 60 * 1000;
export type TokenPurpose = (typeof accountTokens.$inferSelect)["purpose"];

export async function issueAccountToken(
  env: Pick<Env, "DB">,
  userId: string,
  purpose: TokenPurpose,
  newEmail: string | null = null,
): Promise<string> {
  const token = `${userId}.${randomToken(32)}`;
  const db = getDb(onUserShard(env, userId));
  const now = Date.now();
  await db.batch([
    db
      .update(accountTokens)
      .set({ usedAt: now })
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt))),
    db.insert(accountTokens).values({
      id: newId("accountToken"),
      userId,
      purpose,
      tokenHash: await sha256Hex(token),
      newEmail,
      expiresAt: now + ACCOUNT_TOKEN_TTL_MS,
    }),
  ]);
  return token;
}

const invalid = () =>
  new ApiError("invalid_token", "This link is invalid, used or expired; ask for a new one", {
    details: [{ field: "token", code: "invalid_token", message: "invalid, used or expired" }],
  });

/** Spends a token of one of `purposes`; anything else (unknown, used, expired, other purpose) is a 401 invalid_token. */
export async function consumeAccountToken(env: Pick<Env, "DB">, token: string, purposes: TokenPurpose[]) {
  const m = /^(usr_[0-9A-Za-z]+)\.[A-Za-z0-9_-]{20,}$/.exec(token);
  if (!m) throw invalid();
  const db = getDb(onUserShard(env, m[1]));
  const hash = await sha256Hex(token);
  const row = await db
    .update(accountTokens)
    .set({ usedAt: Date.now() })
    .where(
      and(eq(accountTokens.tokenHash, hash), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, Date.now())),
    )
    .returning()
    .get();
  if (!row || !purposes.includes(row.purpose) || row.userId !== m[1]) throw invalid();
  return row;
}
