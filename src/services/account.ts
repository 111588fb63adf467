import { ApiError } from "../lib/errors";
import { consumeAccountToken, issueAccountToken } from "./account-tokens";
import { revokeAllSessions } from "./auth";
import { notify } from "./notifications";
import { hashPassword, verifyPassword } from "./passwords";
import { takeOrThrow } from "./rate-limit";
import {
  findUserByEmail,
  findUserById,
  markEmailVerified,
  normalizeEmail,
  setPasswordHash,
  updateUser,
  type UserRow,
} from "./users";

/**
 * Account security flows, all proven by a mailed single-use token (account-tokens.ts):
 * verifying the address after sign-up, changing the email (it applies only once the new address
 * confirms), resetting a forgotten password; plus changing the password and signing out
 * everywhere. No answer says whether an address has an account: a reset request or an email
 * change to a taken address looks like any other. The owner of an address someone else signed up
 * with (unverified) takes it back by resetting the password, which also ends the other's sessions.
 */
const RESET_PER_ACCOUNT = { capacity: 5, refillPerSecond: 5 / 3600 };
const RESET_PER_IP = { capacity: 20, refillPerSecond: 20 / 3600 };
const EMAIL_CHANGES_PER_USER = { capacity: 5, refillPerSecond: 5 / 3600 };
const PASSWORD_CHANGES_PER_USER = { capacity: 10, refillPerSecond: 10 / 3600 };

function mail(env: Env, userId: string, subject: string, body: string, to?: string) {
  return notify(env, {
    userId,
    kind: "account_security",
    title: subject,
    body,
    data: to ? { to } : {},
    channels: ["email"],
    dedupeKey: `account:${crypto.randomUUID()}`,
  });
}

export async function sendVerification(env: Env, user: UserRow): Promise<void> {
  const token = await issueAccountToken(env, user.id, "verify_email");
  await mail(
    env,
    user.id,
    "Confirm your email address",
    `Confirm ${user.email} with this code (it works once, for 15 minutes): ${token}\nOr open /store/verify?token=${token}`,
  );
}

/** An email change waits for the new address to confirm; the current address is told. */
export async function requestEmailChange(env: Env, user: UserRow, newEmail: string): Promise<void> {
  const email = normalizeEmail(newEmail);
  if (email === user.email) return;
  await takeOrThrow(env, [{ key: `email-change:${user.id}`, policy: EMAIL_CHANGES_PER_USER }]);
  const token = await issueAccountToken(env, user.id, "change_email", email);
  await mail(
    env,
    user.id,
    "Confirm your new email address",
    `Confirm ${email} as the address of your account with this code (15 minutes, once): ${token}`,
    email,
  );
  await mail(
    env,
    user.id,
    "Your email address is being changed",
    `Someone asked to change this account's email to another address. If it was not you, change your password.`,
  );
}

/** Spends a verify or change token: the address becomes verified (and, for a change, the user's). */
export async function confirmEmail(env: Env, token: string): Promise<UserRow> {
  const row = await consumeAccountToken(env, token, ["verify_email", "change_email"]);
  const user = await findUserById(env, row.userId);
  if (!user) throw new ApiError("invalid_token", "This link is invalid, used or expired; ask for a new one");
  if (row.purpose === "change_email" && row.newEmail) {
    // The claim of the new address happens now; taken meanwhile is a 409 email_taken.
    await updateUser(env, user.id, { email: row.newEmail });
    return markEmailVerified(env, user.id);
  }
  return markEmailVerified(env, user.id);
}

/** Always answers the same (202), whether or not the address has an account. */
export async function forgotPassword(env: Env, email: string, clientIp: string): Promise<void> {
  await takeOrThrow(env, [
    { key: `reset:ip:${clientIp}`, policy: RESET_PER_IP },
    { key: `reset:acct:${normalizeEmail(email)}`, policy: RESET_PER_ACCOUNT },
  ]);
  const user = await findUserByEmail(env, email);
  if (!user) return;
  const token = await issueAccountToken(env, user.id, "reset_password");
  await mail(
    env,
    user.id,
    "Reset your password",
    `Set a new password with this code (it works once, for 15 minutes): ${token}\nOr open /store/reset?token=${token}\nIf you did not ask for this, ignore this message.`,
  );
}

/** A reset proves the address: it is marked verified, and every session ends. */
export async function resetPassword(env: Env, token: string, password: string): Promise<void> {
  const row = await consumeAccountToken(env, token, ["reset_password"]);
  await setPasswordHash(env, row.userId, await hashPassword(password));
  await markEmailVerified(env, row.userId);
  await revokeAllSessions(env, row.userId);
}

export async function changePassword(env: Env, userId: string, current: string, next: string): Promise<void> {
  await takeOrThrow(env, [{ key: `password-change:${userId}`, policy: PASSWORD_CHANGES_PER_USER }]);
  const user = await findUserById(env, userId);
  if (!user || !(await verifyPassword(current, user.passwordHash)))
    throw new ApiError("invalid_credentials", "The current password is incorrect");
  await setPasswordHash(env, userId, await hashPassword(next));
  await revokeAllSessions(env, userId);
}
