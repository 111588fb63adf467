import { and, eq, inArray } from "drizzle-orm";
import { getDb, isUniqueViolation, type Db } from "../db/client";
import { userKeys, users } from "../db/schema/users";
import { eachOrderShard, onKeyShard, onUserShard } from "../db/shards";
import { ApiError } from "../lib/errors";
import type { PublicUser, UpdateUserInput, User } from "../schemas/users";
import type { Role } from "../types";

/** The users module: owns the `users` table. Other modules call these functions. */
export type UserRow = typeof users.$inferSelect;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function toUser(row: UserRow): User {
  return {
    user_id: row.id,
    username: row.username,
    email: row.email,
    phone_number: row.phoneNumber,
    role: row.role,
    email_verified: row.emailVerifiedAt !== null,
    suspended_at: row.suspendedAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** What anyone may see of a user: no email, no phone. */
export function toPublicUser(row: UserRow): PublicUser {
  return { user_id: row.id, username: row.username, role: row.role, created_at: row.createdAt };
}

export async function findUserById(env: Pick<Env, "DB">, id: string): Promise<UserRow | undefined> {
  return getDb(onUserShard(env, id)).select().from(users).where(eq(users.id, id)).get();
}

/** Users by id, one query per user database (ids grouped by the database they hash to, 90 at a time). */
export async function findUsersByIds(env: Pick<Env, "DB">, ids: string[]): Promise<UserRow[]> {
  const byDb = new Map<D1Database, { env: Pick<Env, "DB">; ids: string[] }>();
  for (const id of new Set(ids)) {
    const e = onUserShard(env, id);
    const group = byDb.get(e.DB) ?? { env: e, ids: [] };
    group.ids.push(id);
    byDb.set(e.DB, group);
  }
  const out: UserRow[] = [];
  for (const { env: e, ids: list } of byDb.values()) {
    for (let i = 0; i < list.length; i += 90)
      out.push(
        ...(await getDb(e)
          .select()
          .from(users)
          .where(inArray(users.id, list.slice(i, i + 90)))
          .all()),
      );
  }
  return out;
}

const emailKey = (email: string) => `email:${normalizeEmail(email)}`;
const usernameKey = (username: string) => `username:${username.toLowerCase()}`;

async function userIdByKey(env: Pick<Env, "DB">, key: string): Promise<string | undefined> {
  return (
    await getDb(onKeyShard(env, key)).select({ id: userKeys.userId }).from(userKeys).where(eq(userKeys.key, key)).get()
  )?.id;
}

/**
 * Claims email and username keys for a user, each in its own database; the
 * first claim of a key wins. On a conflict, what this call claimed is given
 * back and the 409 names the taken key. Claiming keys a user already holds is
 * a no-op, so a retried signup or update succeeds.
 */
export async function claimUserKeys(
  env: Pick<Env, "DB">,
  userId: string,
  keys: { email?: string; username?: string },
): Promise<void> {
  const wanted = [
    ...(keys.email !== undefined
      ? [
          {
            key: emailKey(keys.email),
            error: () => new ApiError("email_taken", "An account with this email already exists"),
          },
        ]
      : []),
    ...(keys.username !== undefined
      ? [{ key: usernameKey(keys.username), error: () => new ApiError("username_taken", "This username is taken") }]
      : []),
  ];
  const claimed: string[] = [];
  for (const w of wanted) {
    const db = getDb(onKeyShard(env, w.key));
    await db.insert(userKeys).values({ key: w.key, userId }).onConflictDoNothing();
    const owner = await userIdByKey(env, w.key);
    if (owner !== userId) {
      await releaseUserKeys(env, userId, claimed);
      throw w.error();
    }
    claimed.push(w.key);
  }
}

/** Gives keys back (a failed signup, an email or username changed); only the holder's own. */
async function releaseUserKeys(env: Pick<Env, "DB">, userId: string, keys: string[]): Promise<void> {
  await Promise.all(
    keys.map((k) =>
      getDb(onKeyShard(env, k))
        .delete(userKeys)
        .where(and(eq(userKeys.key, k), eq(userKeys.userId, userId))),
    ),
  );
}

/** Undoes claimUserKeys for a signup that did not complete. */
export async function releaseSignupKeys(
  env: Pick<Env, "DB">,
  userId: string,
  email: string,
  username: string,
): Promise<void> {
  await releaseUserKeys(env, userId, [emailKey(email), usernameKey(username)]);
}

/** Through the email's key (in the database the key hashes to), then the user's own database. */
export async function findUserByEmail(env: Pick<Env, "DB">, email: string): Promise<UserRow | undefined> {
  const id = await userIdByKey(env, emailKey(email));
  const row = id ? await findUserById(env, id) : undefined;
  return row && row.email === normalizeEmail(email) ? row : undefined;
}

/** A cheap early answer for signup; claimUserKeys is what decides a race. */
export async function assertEmailAndUsernameFree(env: Pick<Env, "DB">, email: string, username: string): Promise<void> {
  const [byEmail, byName] = await Promise.all([
    userIdByKey(env, emailKey(email)),
    userIdByKey(env, usernameKey(username)),
  ]);
  if (byEmail) throw new ApiError("email_taken", "An account with this email already exists");
  if (byName) throw new ApiError("username_taken", "This username is taken");
}

export interface NewUser {
  id: string;
  email: string;
  username: string;
  phoneNumber: string | null;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

/** The insert to batch with whatever else signup writes (its outbox event). */
export function insertUserQuery(db: Db, user: NewUser) {
  return db.insert(users).values({
    ...user,
    email: normalizeEmail(user.email),
    usernameKey: user.username.toLowerCase(),
    updatedAt: user.createdAt,
  });
}

/** Maps a unique-index failure from a racing insert or update to the right 409. */
export function uniqueConflict(err: unknown): never {
  if (isUniqueViolation(err, "email")) throw new ApiError("email_taken", "An account with this email already exists");
  if (isUniqueViolation(err, "username")) throw new ApiError("username_taken", "This username is taken");
  throw err;
}

export async function updateUser(env: Pick<Env, "DB">, id: string, patch: UpdateUserInput): Promise<UserRow> {
  const before = await findUserById(env, id);
  if (!before) throw new ApiError("not_found", "User not found");
  // New keys first (a conflict stops here), then the row, then the old keys go.
  const changed = {
    ...(patch.email !== undefined && normalizeEmail(patch.email) !== before.email ? { email: patch.email } : {}),
    ...(patch.username !== undefined && patch.username.toLowerCase() !== before.usernameKey
      ? { username: patch.username }
      : {}),
  };
  await claimUserKeys(env, id, changed);
  const set: Partial<typeof users.$inferInsert> = { updatedAt: new Date().toISOString() };
  if (patch.username !== undefined) {
    set.username = patch.username;
    set.usernameKey = patch.username.toLowerCase();
  }
  if (patch.email !== undefined) set.email = normalizeEmail(patch.email);
  if (patch.phone_number !== undefined) set.phoneNumber = patch.phone_number;
  try {
    const row = await getDb(onUserShard(env, id)).update(users).set(set).where(eq(users.id, id)).returning().get();
    if (!row) throw new ApiError("not_found", "User not found");
    await releaseUserKeys(env, id, [
      ...(changed.email !== undefined ? [emailKey(before.email)] : []),
      ...(changed.username !== undefined ? [usernameKey(before.usernameKey)] : []),
    ]);
    return row;
  } catch (err) {
    uniqueConflict(err);
  }
}

export async function setPasswordHash(env: Pick<Env, "DB">, id: string, passwordHash: string): Promise<void> {
  await getDb(onUserShard(env, id)).update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** Newest first, by id (ids sort by creation time): a page from each user database, merged (an admin list). */
/** True when any user database holds an admin (the bootstrap applies only while none does). */
export async function anyAdminExists(env: Pick<Env, "DB">): Promise<boolean> {
  const found = await Promise.all(
    eachOrderShard(env).map((e) =>
      getDb(e).select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1).get(),
    ),
  );
  return found.some(Boolean);
}

/**
 * The one-shot admin bootstrap: a key nobody else can claim afterwards. Whoever claims it first
 * (in the key's database) is the bootstrap admin; a second attempt, even with the secret, loses.
 */
export async function claimAdminBootstrap(env: Pick<Env, "DB">, userId: string): Promise<boolean> {
  const key = "bootstrap:admin";
  await getDb(onKeyShard(env, key)).insert(userKeys).values({ key, userId }).onConflictDoNothing();
  return (await userIdByKey(env, key)) === userId;
}

export async function setRole(env: Pick<Env, "DB">, id: string, role: UserRow["role"]): Promise<UserRow> {
  const row = await getDb(onUserShard(env, id))
    .update(users)
    .set({ role, updatedAt: new Date().toISOString() })
    .where(eq(users.id, id))
    .returning()
    .get();
  if (!row) throw new ApiError("not_found", "User not found");
  return row;
}

export async function markEmailVerified(env: Pick<Env, "DB">, id: string): Promise<UserRow> {
  const now = new Date().toISOString();
  const row = await getDb(onUserShard(env, id))
    .update(users)
    .set({ emailVerifiedAt: now, updatedAt: now })
    .where(eq(users.id, id))
    .returning()
    .get();
  if (!row) throw new ApiError("not_found", "User not found");
  return row;
}

/**
 * Erasure of the account record: the row stays (orders and ledgers point at the id) with every
 * personal field replaced, no usable password, and the email and username given back so the
 * address can sign up again.
 */
export async function scrubUser(env: Pick<Env, "DB">, id: string): Promise<void> {
  const before = await findUserById(env, id);
  if (!before) throw new ApiError("not_found", "User not found");
  const tag = id.slice(-12).toLowerCase();
  await getDb(onUserShard(env, id))
    .update(users)
    .set({
      email: `erased-${tag}@erased.invalid`,
      username: `erased-${tag}`,
      usernameKey: `erased-${tag}`,
      phoneNumber: null,
      passwordHash: "locked$erased",
      emailVerifiedAt: null,
      updatedAt: new Date().toISOString(),
    })
    .where(eq(users.id, id));
  await releaseUserKeys(env, id, [emailKey(before.email), usernameKey(before.usernameKey)]);
}
