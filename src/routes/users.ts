import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, isOwnerOrAdmin, signedIn } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { PublicUserSchema, UpdateUserBody, UserIdParam, UserSchema } from "../schemas/users";
import * as users from "../services/users";
import * as directory from "../services/user-directory";
import { requestEmailChange } from "../services/account";

const getUser = createRoute({
  method: "get",
  path: "/users/{user_id}",
  tags: ["Users"],
  summary: "A user: the full record for themselves and admins, the public profile for anyone else",
  request: { params: UserIdParam },
  responses: {
    200: jsonResponse(z.union([UserSchema, PublicUserSchema]), "The user"),
    ...errorResponses(401, 404),
  },
});

const patchUser = createRoute({
  method: "patch",
  path: "/users/{user_id}",
  tags: ["Users"],
  summary: "Update your own profile (or any, as admin)",
  description:
    "`role`, ids, timestamps and unknown fields are rejected with 400. A new `email` is not applied here: a code goes to the new address, " +
    "and the change applies when it is confirmed (POST /auth/email/verify). An admin's change applies at once.",
  ...signedIn,
  request: { params: UserIdParam, body: jsonBody(UpdateUserBody) },
  responses: {
    200: jsonResponse(UserSchema, "Updated user"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const listUsers = createRoute({
  method: "get",
  path: "/users",
  tags: ["Users"],
  summary: "All users, newest first (admin)",
  description: "`q`: the start of an email or username (case-insensitive); `role`: only that role.",
  ...allowRoles("admin"),
  request: {
    query: PageQuery.extend({
      q: z.string().trim().min(1).max(100).optional(),
      role: z.enum(["buyer", "seller", "admin"]).optional(),
    }),
  },
  responses: {
    200: jsonResponse(pageSchema(UserSchema, "UserList"), "A page of users"),
    ...errorResponses(400, 401, 403),
  },
});

export const userRoutes = createRouter()
  .openapi(getUser, async (c) => {
    const { user_id } = c.req.valid("param");
    const row = await users.findUserById(c.env, user_id);
    if (!row) throw new ApiError("not_found", "User not found");
    const full = isOwnerOrAdmin(c.get("auth"), row.id);
    return c.json(full ? users.toUser(row) : users.toPublicUser(row), 200);
  })
  .openapi(patchUser, async (c) => {
    const { user_id } = c.req.valid("param");
    const auth = currentUser(c);
    if (!isOwnerOrAdmin(auth, user_id)) {
      // Profiles are public, so refusing with 403 leaks nothing that GET does not show.
      if (!(await users.findUserById(c.env, user_id))) throw new ApiError("not_found", "User not found");
      throw new ApiError("forbidden", "You can only update your own profile");
    }
    const { email, ...rest } = c.req.valid("json");
    // A user's own email change waits for the new address to confirm it (POST /auth/email/verify);
    // the answer is the same whether or not that address is taken. An admin's applies at once.
    if (email !== undefined && auth.role !== "admin") {
      const me = await users.findUserById(c.env, user_id);
      if (!me) throw new ApiError("not_found", "User not found");
      await requestEmailChange(c.env, me, email);
    }
    const row = await users.updateUser(c.env, user_id, auth.role === "admin" ? { email, ...rest } : rest);
    return c.json(users.toUser(row), 200);
  })
  .openapi(listUsers, async (c) => {
    const { limit, cursor, q, role } = c.req.valid("query");
    return c.json(await directory.listUsers(c.env, limit, cursor, { q, role }), 200);
  });
