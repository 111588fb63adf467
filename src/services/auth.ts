import { and, eq, isNull, lt } from "drizzle-orm";
import { getDb } from "../db/client";
import { refreshTokens } from "../db/schema/auth";
import { eachOrderShard, onUserShard } from "../db/shards";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { SignupInput, User } from "../schemas/users";
import type { Role } from "../types";
import { buildEvent, dispatchEvents, outboxInsert } from "./events";
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from "./passwords";
import {
  LOGIN_PER_ACCOUNT,
  LOGIN_PER_IP,
  LOGIN_PER_PAIR,
  LOGIN_SLOWDOWN_MS,
  backoffFail,
  backoffReset,
  backoffState,
  rateLimited,
  refund,
  signupPerIp,
  takeOrThrow,
  tryTake,
} from "./rate-limit";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  REFRESH_TOKEN_TTL_MS,
  hashRefreshToken,
  newRefreshToken,
  signAccessToken,
} from "./tokens";
import { sha256Hex } from "../lib/crypto";
import {
  anyAdminExists,
  assertEmailAndUsernameFree,
  claimAdminBootstrap,
  claimUserKeys,
  findUserByEmail,
  findUserById,
  insertUserQuery,
  normalizeEmail,
  releaseSignupKeys,
  setPasswordHash,
  toUser,
  uniqueConflict,
} from "./users";

/** The auth module: owns `refresh_tokens`; signs access tokens; drives signup and login. */
type AuthEnv = Pick<Env, "DB" | "EVENTS" | "RATE_LIMITER" | "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_KEYS"> &
  Partial<Pick<Env, "SIGNUP_LIMIT_PER_HOUR" | "ADMIN_BOOTSTRAP_TOKEN">>;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "Bearer";
  expires_in: number;
}

/**
 * Refresh tokens live in their user's database; the token names the user
 * (`rt_<user id>.<secret>`) so an exchange knows where to look without a scan.
 */
function tokenHome(env: AuthEnv, token: string): AuthEnv {
  const m = /^rt_(usr_[0-9A-Za-z]+)\./.exec(token);
  return m ? onUserShard(env, m[1]) : env;
}

async function issueTokens(env: AuthEnv, user: { id: string; role: Role }, familyId = newId("refreshToken")) {
  const secret = await newRefreshToken();
  const token = `rt_${user.id}.${secret.token.slice("rt_".length)}`;
  const refresh = { token, hash: await hashRefreshToken(token) };
  await getDb(onUserShard(env, user.id))
    .insert(refreshTokens)
    .values({
      id: newId("refreshToken"),
      userId: user.id,
      familyId,
      tokenHash: refresh.hash,
      expiresAt: Date.now() + REFRESH_TOKEN_TTL_MS,
    });
  const pair: TokenPair = {
    access_token: await signAccessToken(env, user),
    refresh_token: refresh.token,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
  };
  return pair;
}

/**
 * The admin bootstrap is one-shot and needs a secret, not an email match: a signup that presents
 * `X-Admin-Bootstrap: <ADMIN_BOOTSTRAP_TOKEN>` (a `wrangler secret`) becomes admin only while no
 * admin exists, and only the first such signup ever does (claimAdminBootstrap). A wrong or
 * late token is a 403, so nobody mistakes it for a working bootstrap. Every later admin is
 * promoted by an admin (POST /admin/users/{id}/role), with an audit-log entry.
 */
async function bootstrapAllowed(env: AuthEnv, presented: string | undefined): Promise<boolean> {
  if (presented === undefined) return false;
  const secret = env.ADMIN_BOOTSTRAP_TOKEN?.trim();
  const refused = new ApiError("forbidden", "The admin bootstrap is closed or the token is wrong");
  if (!secret || secret.length < 16 || !(await sameSecret(presented, secret))) throw refused;
  if (await anyAdminExists(env)) throw refused;
  return true;
}

async function sameSecret(a: string, b: string): Promise<boolean> {
  // Compare digests so the comparison time says nothing about the secret's prefix.
  const [x, y] = await Promise.all([sha256Hex(a), sha256Hex(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x.charCodeAt(i) ^ y.charCodeAt(i);
  return diff === 0;
}

export async function signup(
  env: AuthEnv,
  input: SignupInput,
  clientIp: string,
  bootstrapToken?: string,
): Promise<{ user: User } & TokenPair> {
  await takeOrThrow(env, [{ key: `signup:ip:${clientIp}`, policy: signupPerIp(env) }]);
  const bootstrap = await bootstrapAllowed(env, bootstrapToken);
  await assertEmailAndUsernameFree(env, input.email, input.username);
  const now = new Date().toISOString();
  const id = newId("user");
  if (bootstrap && !(await claimAdminBootstrap(env, id)))
    throw new ApiError("forbidden", "The admin bootstrap is closed or the token is wrong");
  const role: Role = bootstrap ? "admin" : input.role;
  const event = buildEvent("user.registered", { user_id: id, role });
  // The email and username are claimed first (each in the database its key hashes to); the user row and its
  // event then go to the user's own database in one batch. If that fails, the claims are given back.
  await claimUserKeys(env, id, { email: input.email, username: input.username });
  const db = getDb(onUserShard(env, id));
  try {
    await db.batch([
      insertUserQuery(db, {
        id,
        email: input.email,
        username: input.username,
        phoneNumber: input.phone_number ?? null,
        role,
        passwordHash: await hashPassword(input.password),
        createdAt: now,
      }),
      outboxInsert(db, event),
    ]);
  } catch (err) {
    await releaseSignupKeys(env, id, input.email, input.username);
    uniqueConflict(err);
  }
  await dispatchEvents(onUserShard(env, id), [event]);
  const row = (await findUserById(env, id))!;
  return { user: toUser(row), ...(await issueTokens(env, row)) };
}

export async function login(
  env: AuthEnv,
  email: string,
  password: string,
  clientIp: string,
): Promise<{ user: User } & TokenPair> {
  const account = normalizeEmail(email);
  const pairKey = `login:pair:${account}:${clientIp}`;
  const pair = await backoffState(env, pairKey);
  if (pair.blockedForSeconds > 0) throw rateLimited(pair.blockedForSeconds);
  const ipLimit = { key: `login:ip:${clientIp}`, policy: LOGIN_PER_IP };
  const accountLimit = { key: `login:acct:${account}`, policy: LOGIN_PER_ACCOUNT };
  await takeOrThrow(env, [ipLimit]);
  if (!(await tryTake(env, accountLimit))) {
    // The account's ceiling is spent (someone is guessing from many addresses): an address
    // that has failed here before is refused, a fresh one is only slowed down.
    if (pair.failures > 0) throw rateLimited(60);
    await scheduler.wait(LOGIN_SLOWDOWN_MS);
  }
  const row = await findUserByEmail(env, email);
  // Verify against a dummy hash for unknown emails so timing does not reveal accounts.
  const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyPasswordHash()));
  if (!row || !ok) {
    await backoffFail(env, pairKey, LOGIN_PER_PAIR);
    throw new ApiError("invalid_credentials", "Email or password is incorrect");
  }
  await Promise.all([refund(env, [ipLimit, accountLimit]), pair.failures > 0 ? backoffReset(env, pairKey) : undefined]);
  // Told only after the right password, so the answer reveals nothing to someone guessing.
  if (row.suspendedAt) throw new ApiError("account_suspended", "This account is suspended; contact support");
  if (needsRehash(row.passwordHash)) await setPasswordHash(env, row.id, await hashPassword(password));
  return { user: toUser(row), ...(await issueTokens(env, row)) };
}

async function revokeFamily(env: AuthEnv, familyId: string): Promise<void> {
  // `env` is already the family's database (tokenHome).
  await getDb(env)
    .update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Rotation: each refresh token is good for one exchange. Presenting one that
 * was already exchanged (or revoked) means it leaked, so the whole family,
 * including the newest token, is revoked and the holder must log in again.
 */
export async function refresh(env: AuthEnv, token: string): Promise<TokenPair> {
  const home = tokenHome(env, token);
  const db = getDb(home);
  const hash = await hashRefreshToken(token);
  const row = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash)).get();
  const invalid = new ApiError("unauthenticated", "Refresh token is invalid, expired or revoked");
  if (!row) throw invalid;
  if (row.usedAt !== null || row.revokedAt !== null) {
    await revokeFamily(home, row.familyId);
    throw invalid;
  }
  if (row.expiresAt <= Date.now()) throw invalid;
  // Claim the token; of two concurrent exchanges exactly one wins, and the other is treated as reuse.
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: Date.now() })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length !== 1) {
    await revokeFamily(home, row.familyId);
    throw invalid;
  }
  const user = await findUserById(env, row.userId);
  if (!user) throw invalid;
  if (user.suspendedAt) {
    await revokeFamily(home, row.familyId);
    throw new ApiError("account_suspended", "This account is suspended; contact support");
  }
  return issueTokens(env, user, row.familyId);
}

/** Revokes the token's family (this device's session). Unknown or foreign tokens change nothing. */
export async function logout(env: AuthEnv, userId: string, token: string): Promise<void> {
  const home = tokenHome(env, token);
  const db = getDb(home);
  const row = await db
    .select({ familyId: refreshTokens.familyId, userId: refreshTokens.userId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, await hashRefreshToken(token)))
    .get();
  if (row && row.userId === userId) await revokeFamily(home, row.familyId);
}

/** Ends every session of a user (sign out everywhere, a password change, a role change, an erasure). */
export async function revokeAllSessions(env: Pick<Env, "DB">, userId: string): Promise<void> {
  await getDb(onUserShard(env, userId))
    .update(refreshTokens)
    .set({ revokedAt: Date.now() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

/** Cron: drops refresh tokens a day after they expired. */
export async function purgeExpiredRefreshTokens(env: Pick<Env, "DB">): Promise<void> {
  for (const e of eachOrderShard(env))
    await getDb(e)
      .delete(refreshTokens)
      .where(lt(refreshTokens.expiresAt, Date.now() - 24 * 3600 * 1000));
}
