import { z } from "@hono/zod-openapi";

/** E.164: a plus sign and 7 to 15 digits. */
const PhoneNumber = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "phone_number must be E.164, e.g. +14155550123")
  .openapi({ example: "+14155550123" });

const Email = z.email().max(254).openapi({ example: "ada@example.com" });
const Username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Za-z0-9_.-]+$/, "username may use letters, digits, '_', '.' and '-'")
  .openapi({ example: "ada_l" });

const NewPassword = z.string().min(8).max(256);
const AccountToken = z.string().min(20).max(200).openapi({ description: "The code from the email" });
export const VerifyEmailBody = z.strictObject({ token: AccountToken }).openapi("VerifyEmailRequest");
export const ForgotPasswordBody = z.strictObject({ email: Email }).openapi("ForgotPasswordRequest");
export const ResetPasswordBody = z
  .strictObject({ token: AccountToken, password: NewPassword })
  .openapi("ResetPasswordRequest");
export const ChangePasswordBody = z
  .strictObject({ current_password: z.string().min(1).max(256), new_password: NewPassword })
  .openapi("ChangePasswordRequest");

export const SignupBody = z
  .strictObject({
    email: Email,
    password: z.string().min(8).max(256).openapi({ example: "correct horse battery" }),
    username: Username,
    phone_number: PhoneNumber.optional(),
    role: z.enum(["buyer", "seller"]).default("buyer").openapi({ description: "`admin` only by bootstrap" }),
  })
  .openapi("SignupRequest");

export const LoginBody = z
  .strictObject({ email: z.string().max(254), password: z.string().max(256) })
  .openapi("LoginRequest");

export const RefreshBody = z
  .strictObject({
    refresh_token: z.string().min(1).max(512).optional().openapi({
      description: "Required unless the request carries `X-Refresh-Cookie: 1` and the refresh cookie set at sign-in",
    }),
  })
  .openapi("RefreshRequest");

/** `role`, ids and timestamps are not writable: a strict schema answers them with a 400. */
export const UpdateUserBody = z
  .strictObject({
    username: Username.optional(),
    phone_number: PhoneNumber.nullable().optional(),
    email: Email.optional(),
  })
  .openapi("UpdateUserRequest");

const RoleSchema = z.enum(["buyer", "seller", "admin"]);

export const UserSchema = z
  .object({
    user_id: z.string().openapi({ example: "usr_01JD8X3V5Q9M2K7T4R6W8Y0Z1A" }),
    username: z.string(),
    email: z.string(),
    phone_number: z.string().nullable(),
    role: RoleSchema,
    email_verified: z.boolean().openapi({
      description: "The address was confirmed with a mailed code (sign-up, email change or password reset)",
    }),
    suspended_at: z
      .string()
      .nullable()
      .openapi({ description: "When an admin suspended the account (it cannot sign in); null when it is not" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("User");

export const PublicUserSchema = z
  .object({
    user_id: z.string(),
    username: z.string(),
    role: RoleSchema,
    created_at: z.string(),
  })
  .openapi("PublicUser");

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string().optional().openapi({
      description: "Always present, except when the request asked for the refresh cookie (`X-Refresh-Cookie: 1`)",
    }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("TokenPair");

export const AuthResultSchema = TokenPairSchema.extend({ user: UserSchema }).openapi("AuthResult");

export const UserIdParam = z.object({
  user_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "user_id", in: "path" } }),
});

export type SignupInput = z.infer<typeof SignupBody>;
export type UpdateUserInput = z.infer<typeof UpdateUserBody>;
export type User = z.infer<typeof UserSchema>;
export type PublicUser = z.infer<typeof PublicUserSchema>;
