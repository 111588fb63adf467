import { desc, eq, lt } from "drizzle-orm";
import { getDb, isUniqueViolation, type Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError } from "../lib/errors";
import { decodeCursor, toPage } from "../lib/pagination";
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
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** What anyone may see of a user: no email, no phone. */
export function toPublicUser(row: UserRow): PublicUser {
  return { user_id: row.id, username: row.username, role: row.role, created_at: row.createdAt };
}

export async function findUserById(env: Pick<Env, "DB">, id: string): Promise<UserRow | undefined> {
  return getDb(env).select().from(users).where(eq(users.id, id)).get();
}

export async function findUserByEmail(env: Pick<Env, "DB">, email: string): Promise<UserRow | undefined> {
  return getDb(env).select().from(users).where(eq(users.email, normalizeEmail(email))).get();
}

export async function assertEmailAndUsernameFree(env: Pick<Env, "DB">, email: string, username: string): Promise<void> {
  const db = getDb(env);
  const [byEmail, byName] = await db.batch([
    db.select({ id: users.id }).from(users).where(eq(users.email, normalizeEmail(email))).limit(1),
    db.select({ id: users.id }).from(users).where(eq(users.usernameKey, username.toLowerCase())).limit(1),
  ]);
  if (byEmail.length > 0) throw new ApiError("email_taken", "An account with this email already exists");
  if (byName.length > 0) throw new ApiError("username_taken", "This username is taken");
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
  const set: Partial<typeof users.$inferInsert> = { updatedAt: new Date().toISOString() };
  if (patch.username !== undefined) {
    set.username = patch.username;
    set.usernameKey = patch.username.toLowerCase();
  }
  if (patch.email !== undefined) set.email = normalizeEmail(patch.email);
  if (patch.phone_number !== undefined) set.phoneNumber = patch.phone_number;
  try {
    const row = await getDb(env).update(users).set(set).where(eq(users.id, id)).returning().get();
    if (!row) throw new ApiError("not_found", "User not found");
    return row;
  } catch (err) {
    uniqueConflict(err);
  }
}

export async function setPasswordHash(env: Pick<Env, "DB">, id: string, passwordHash: string): Promise<void> {
  await getDb(env).update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** Newest first, by id (ids sort by creation time). */
export async function listUsers(env: Pick<Env, "DB">, limit: number, cursor?: string) {
  const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
  const rows = await getDb(env)
    .select()
    .from(users)
    .where(after ? lt(users.id, after) : undefined)
    .orderBy(desc(users.id))
    .limit(limit + 1);
  const page = toPage(rows, limit, (r) => [r.id]);
  return { data: page.data.map(toUser), next_cursor: page.next_cursor };
}
