import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { adminUser, call, json, signup, unique } from "./helpers";

describe("GET /users/{id}", () => {
  it("shows the full record to the user and to admins", async () => {
    const u = await signup({ phone_number: "+442071838750" });
    const self = await json(await call("GET", `/users/${u.user.user_id}`, { token: u.access_token }));
    expect(self.email).toBe(u.user.email);
    expect(self.phone_number).toBe("+442071838750");
    const admin = await adminUser();
    const seen = await json(await call("GET", `/users/${u.user.user_id}`, { token: admin.access_token }));
    expect(seen.email).toBe(u.user.email);
    expect(seen.phone_number).toBe("+442071838750");
  });

  it("grants admin to no address: an email like the admin's signs up as a buyer", async () => {
    const lookalike = await signup({ email: env.ADMIN_EMAIL.replace("@", `+${unique()}@`) });
    expect(lookalike.user.role).toBe("buyer");
  });

  it("shows others and anonymous callers only the public profile: no email, no phone", async () => {
    const u = await signup({ phone_number: "+14155550199" });
    const other = await signup();
    for (const token of [other.access_token, undefined]) {
      const res = await call("GET", `/users/${u.user.user_id}`, { token });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(Object.keys(body).sort()).toEqual(["created_at", "role", "user_id", "username"]);
    }
  });

  it("answers an unknown user with a JSON 404", async () => {
    const res = await call("GET", "/users/usr_00000000000000000000000000");
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("not_found");
  });
});

describe("PATCH /users/{id}", () => {
  it("updates your own username and phone; a new email waits for confirmation (test/security/email.test.ts)", async () => {
    const u = await signup();
    const email = `${unique()}@example.com`;
    const res = await call("PATCH", `/users/${u.user.user_id}`, {
      token: u.access_token,
      body: { username: unique("n"), phone_number: "+14155550100", email: email.toUpperCase() },
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.email).toBe(u.user.email);
    expect(body.phone_number).toBe("+14155550100");
    expect(body.updated_at >= body.created_at).toBe(true);
    // An admin's change applies at once, and the new email signs in.
    const admin = await adminUser();
    const byAdmin = await json(
      await call("PATCH", `/users/${u.user.user_id}`, { token: admin.access_token, body: { email } }),
    );
    expect(byAdmin.email).toBe(email);
    expect((await call("POST", "/auth/login", { body: { email, password: u.password } })).status).toBe(200);
    // phone_number: null clears it.
    const cleared = await json(
      await call("PATCH", `/users/${u.user.user_id}`, { token: u.access_token, body: { phone_number: null } }),
    );
    expect(cleared.phone_number).toBeNull();
  });

  it("refuses to patch another user (403) and needs a token (401)", async () => {
    const a = await signup();
    const b = await signup();
    const res = await call("PATCH", `/users/${b.user.user_id}`, {
      token: a.access_token,
      body: { username: unique() },
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("forbidden");
    expect((await call("PATCH", `/users/${b.user.user_id}`, { body: { username: unique() } })).status).toBe(401);
  });

  it("lets an admin patch anyone", async () => {
    const admin = await adminUser();
    const u = await signup();
    const res = await call("PATCH", `/users/${u.user.user_id}`, {
      token: admin.access_token,
      body: { username: unique("a") },
    });
    expect(res.status).toBe(200);
  });

  it("rejects role (no self-promotion) and unknown fields with 400 naming each field", async () => {
    const u = await signup();
    const res = await call("PATCH", `/users/${u.user.user_id}`, {
      token: u.access_token,
      body: { role: "admin", user_id: "usr_hijack", is_admin: true },
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["is_admin", "role", "user_id"]);
    const after = await json(await call("GET", `/users/${u.user.user_id}`, { token: u.access_token }));
    expect(after.role).toBe("buyer");
  });

  it("does not say whether an email is taken: the answer is the same 200, and nothing changes", async () => {
    const a = await signup();
    const b = await signup();
    const res = await call("PATCH", `/users/${a.user.user_id}`, {
      token: a.access_token,
      body: { email: b.user.email },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).email).toBe(a.user.email);
    // An admin's direct change still meets the unique address: 409.
    const admin = await adminUser();
    const direct = await call("PATCH", `/users/${a.user.user_id}`, {
      token: admin.access_token,
      body: { email: b.user.email },
    });
    expect(direct.status).toBe(409);
    expect((await json(direct)).error.code).toBe("email_taken");
  });
});

describe("GET /users (admin)", () => {
  it("is admin only", async () => {
    const u = await signup();
    expect((await call("GET", "/users", { token: u.access_token })).status).toBe(403);
    expect((await call("GET", "/users")).status).toBe(401);
  });

  it("pages with limit and cursor, newest first, without repeats", async () => {
    const a = await adminUser();
    for (let i = 0; i < 3; i++) await signup();
    const first = await json(await call("GET", "/users?limit=2", { token: a.access_token }));
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toBeTypeOf("string");
    const second = await json(
      await call("GET", `/users?limit=2&cursor=${first.next_cursor}`, { token: a.access_token }),
    );
    const ids = [...first.data, ...second.data].map((u: { user_id: string }) => u.user_id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it("finds users by the start of their email or username, and by role; LIKE's wildcards match themselves", async () => {
    const a = await adminUser();
    const tag = `find${Date.now()}`;
    const buyer = await signup({ username: `${tag}_buyer`, email: `${tag}.b@example.com` });
    const seller = await signup({ username: `${tag}_seller`, email: `${tag}.s@example.com`, role: "seller" });
    await signup({ username: `${tag}xseller`, email: `other${tag}@example.com` });
    const find = async (query: string) =>
      (await json(await call("GET", `/users?${query}`, { token: a.access_token }))).data.map(
        (u: { user_id: string }) => u.user_id,
      );
    expect(await find(`q=${tag.toUpperCase()}.S`)).toEqual([seller.user.user_id]);
    expect(await find(`q=${tag}_&role=buyer`)).toEqual([buyer.user.user_id]);
    // "_" is not "any character": `${tag}_` does not match `${tag}xseller`.
    expect((await find(`q=${tag}_`)).sort()).toEqual([buyer.user.user_id, seller.user.user_id].sort());
    expect(await find(`q=${tag}%25`)).toEqual([]);
    expect((await call("GET", "/users?role=owner", { token: a.access_token })).status).toBe(400);
  });

  it("rejects a limit over 100 and a forged cursor with 400", async () => {
    const a = await adminUser();
    const over = await call("GET", "/users?limit=101", { token: a.access_token });
    expect(over.status).toBe(400);
    expect((await json(over)).error.details[0].field).toBe("limit");
    const bad = await call("GET", "/users?cursor=not-a-cursor", { token: a.access_token });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].field).toBe("cursor");
  });
});
