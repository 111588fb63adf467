import { describe, expect, it } from "vitest";
import { call, json } from "./helpers";

describe("meta routes", () => {
  it("GET /health checks D1", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe("ok");
    expect(body.checks.db).toBe("ok");
  });

  it("GET /openapi.json is OpenAPI 3.1 and documents the auth and user routes", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/auth/signup",
      "/auth/login",
      "/auth/refresh",
      "/auth/logout",
      "/users/{user_id}",
      "/health",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths["/auth/signup"].post.responses["201"]).toBeDefined();
    expect(doc.components.schemas.Error).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth.scheme).toBe("bearer");
  });

  it("GET /docs serves the Scalar reference pointing at /openapi.json", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/openapi.json");
  });
});

describe("GET /admin/health", () => {
  it("reports backlogs and dead letters to admins only", async () => {
    const { adminUser, call, json, signup } = await import("./helpers");
    const admin = await adminUser();
    const res = await call("GET", "/admin/health", { token: admin.access_token });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      status: "ok",
      events_outbox: expect.any(Object),
      notifications: expect.any(Object),
      webhooks: expect.any(Object),
    });
    expect(typeof body.orders_unpaid_over_1h).toBe("number");
    const user = await signup();
    expect((await call("GET", "/admin/health", { token: user.access_token })).status).toBe(403);
  });
});
