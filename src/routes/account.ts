import { createRoute } from "@hono/zod-openapi";
import { currentUser, signedIn } from "../middleware/auth";
import { clientIp } from "../middleware/request-context";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import {
  ChangePasswordBody,
  ForgotPasswordBody,
  ResetPasswordBody,
  UserSchema,
  VerifyEmailBody,
} from "../schemas/users";
import * as account from "../services/account";
import { revokeAllSessions } from "../services/auth";
import { findUserById, toUser } from "../services/users";
import { ApiError } from "../lib/errors";

const verify = createRoute({
  method: "post",
  path: "/auth/email/verify",
  tags: ["Account"],
  summary: "Confirm an email address (after sign-up, or a new address after PATCH /users/{id})",
  description: "The code is single-use and lives 15 minutes. An email change applies here, not when it was asked for.",
  request: { body: jsonBody(VerifyEmailBody) },
  responses: { 200: jsonResponse(UserSchema, "The user, address verified"), ...errorResponses(400, 401, 409) },
});

const resend = createRoute({
  method: "post",
  path: "/auth/email/verification",
  tags: ["Account"],
  summary: "Send the sign-up verification email again",
  ...signedIn,
  responses: { 202: { description: "Sent (if the address is not verified yet)" }, ...errorResponses(401, 429) },
});

const forgot = createRoute({
  method: "post",
  path: "/auth/password/forgot",
  tags: ["Account"],
  summary: "Email a password-reset code",
  description: "Always 202, whether or not the address has an account. Limited per address and per client.",
  request: { body: jsonBody(ForgotPasswordBody) },
  responses: {
    202: { description: "If the address has an account, a code is on its way" },
    ...errorResponses(400, 429),
  },
});

const reset = createRoute({
  method: "post",
  path: "/auth/password/reset",
  tags: ["Account"],
  summary: "Set a new password with a reset code; every session ends",
  request: { body: jsonBody(ResetPasswordBody) },
  responses: { 204: { description: "Password changed; sign in again" }, ...errorResponses(400, 401) },
});

const change = createRoute({
  method: "post",
  path: "/auth/password/change",
  tags: ["Account"],
  summary: "Change your password (the current one is required); every session ends",
  ...signedIn,
  request: { body: jsonBody(ChangePasswordBody) },
  responses: { 204: { description: "Password changed; sign in again" }, ...errorResponses(400, 401, 429) },
});

const signOutEverywhere = createRoute({
  method: "post",
  path: "/auth/sessions/revoke",
  tags: ["Account"],
  summary: "Sign out everywhere: every refresh token of the caller stops working",
  description: "Access tokens already issued expire within 15 minutes.",
  ...signedIn,
  responses: { 204: { description: "Every session ended" }, ...errorResponses(401) },
});

export const accountRoutes = createRouter()
  .openapi(verify, async (c) => c.json(toUser(await account.confirmEmail(c.env, c.req.valid("json").token)), 200))
  .openapi(resend, async (c) => {
    const user = await findUserById(c.env, currentUser(c).userId);
    if (!user) throw new ApiError("unauthenticated", "Unknown user");
    if (!user.emailVerifiedAt) await account.sendVerification(c.env, user);
    return c.body(null, 202);
  })
  .openapi(forgot, async (c) => {
    await account.forgotPassword(c.env, c.req.valid("json").email, clientIp(c.req.raw));
    return c.body(null, 202);
  })
  .openapi(reset, async (c) => {
    const { token, password } = c.req.valid("json");
    await account.resetPassword(c.env, token, password);
    return c.body(null, 204);
  })
  .openapi(change, async (c) => {
    const { current_password, new_password } = c.req.valid("json");
    await account.changePassword(c.env, currentUser(c).userId, current_password, new_password);
    return c.body(null, 204);
  })
  .openapi(signOutEverywhere, async (c) => {
    await revokeAllSessions(c.env, currentUser(c).userId);
    return c.body(null, 204);
  });
