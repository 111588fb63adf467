import { describe, expect, it } from "vitest";
import { allowedOrigin } from "../src/middleware/cors";
import { MAX_BODY_BYTES } from "../src/middleware/body";
import { call, json, signup, unique } from "./helpers";

const validSignup = () => ({ email: `${unique()}@example.com`, username: unique(), password: "password123" });

describe("error shape and validation", () => {
  it("names every bad field in details, with a request_id", async () => {
    const res = await call("POST", "/auth/signup", {
      body: { email: "not-an-email", username: "x", password: "short", phone_number: "555" },
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe("validation_failed");
    expect(error.request_id).toBe(res.headers.get("x-request-id"));
    expect(error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      "email",
      "password",
      "phone_number",
      "username",
    ]);
  });

  it("rejects unknown fields (no mass assignment)", async () => {
    const res = await call("POST", "/auth/signup", { body: { ...validSignup(), role: "buyer", is_verified: true } });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.details).toEqual([
      { field: "is_verified", code: "unknown_field", message: 'Unknown field "is_verified"' },
    ]);
  });

  it("answers malformed JSON, wrong types, arrays and huge strings with 400, never 500", async () => {
    const cases: Array<{ raw?: string; body?: unknown }> = [
      { raw: '{"email": "a@b.c", ' },
      { raw: "null" },
      { raw: "[]" },
      { raw: '"just a string"' },
      { body: { email: 42, username: ["x"], password: { a: 1 } } },
      { body: { ...validSignup(), password: "p".repeat(50_000) } },
      { body: { ...validSignup(), username: "ü".repeat(10_000) } },
      { body: { ...validSignup(), email: `${"a".repeat(300)}@example.com` } },
    ];
    for (const c of cases) {
      const res = await call("POST", "/auth/signup", {
        raw: c.raw,
        body: c.body,
        headers: { "content-type": "application/json" },
      });
      expect(res.status, JSON.stringify(c).slice(0, 80)).toBe(400);
      expect((await json(res)).error.code).toBe("validation_failed");
    }
  });

  it("answers a non-JSON body with 415", async () => {
    const res = await call("POST", "/auth/login", {
      raw: "email=a@b.c&password=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
    expect((await json(res)).error.code).toBe("unsupported_media_type");
  });

  it("answers a missing body with 400", async () => {
    const res = await call("POST", "/auth/login");
    expect(res.status).toBe(400);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await call("GET", "/no/such/route");
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("not_found");
  });
});

describe("body limit", () => {
  it("refuses a body over the limit with 413 (Content-Length)", async () => {
    const res = await call("POST", "/auth/signup", {
      raw: JSON.stringify({ ...validSignup(), padding: "x".repeat(MAX_BODY_BYTES) }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("payload_too_large");
  });

  it("refuses a chunked body over the limit with 413 as it streams", async () => {
    const chunk = new TextEncoder().encode("x".repeat(8 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES * 2) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await call("POST", "/auth/signup", { raw: stream, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
  });
});

describe("headers", () => {
  it("echoes a sane X-Request-Id and invents one otherwise", async () => {
    const mine = await call("GET", "/health", { headers: { "x-request-id": "trace-abc-123456" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-abc-123456");
    const invented = await call("GET", "/health", { headers: { "x-request-id": "<script>" } });
    expect(invented.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("sets secure headers and answers CORS preflights", async () => {
    const res = await call("GET", "/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toBeTruthy();
    const preflight = await call("OPTIONS", "/auth/login", {
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
  });

  it("writes CORS onto every answer, errors included, and allows only the listed origins", async () => {
    for (const res of [
      await call("GET", "/health", { headers: { origin: "http://127.0.0.1:9" } }),
      await call("GET", "/no-such-route", { headers: { origin: "http://127.0.0.1:9" } }),
    ]) {
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
      expect(res.headers.get("vary")).toContain("Origin");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(allowedOrigin("http://127.0.0.1:9, http://127.0.0.1:10", "http://127.0.0.1:10")).toBe("http://127.0.0.1:10");
    expect(allowedOrigin("http://127.0.0.1:9, http://127.0.0.1:10", "http://127.0.0.2:9")).toBeNull();
    expect(allowedOrigin("*", "http://127.0.0.2:9")).toBe("*");
  });

  it("sends every security header on every answer, and keeps a route's own policy", async () => {
    // What hono/secure-headers sent with the options the app gave it (src/middleware/security-headers.ts).
    const expected = {
      "cross-origin-resource-policy": "same-origin",
      "cross-origin-opener-policy": "same-origin",
      "origin-agent-cluster": "?1",
      "referrer-policy": "strict-origin-when-cross-origin",
      "strict-transport-security": "max-age=15552000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "x-dns-prefetch-control": "off",
      "x-download-options": "noopen",
      "x-frame-options": "DENY",
      "x-permitted-cross-domain-policies": "none",
      "x-xss-protection": "0",
      "content-security-policy":
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    };
    for (const res of [
      await call("GET", "/health"),
      await call("GET", "/no-such-route"),
      await call("POST", "/orders", { body: {} }),
      await call("GET", "/store"),
    ]) {
      for (const [name, value] of Object.entries(expected)) expect(res.headers.get(name), name).toBe(value);
    }
    const docs = await call("GET", "/docs");
    // The reference's own policy (it allows the reference's inline styles), not the store's.
    expect(docs.headers.get("content-security-policy")).not.toBe(expected["content-security-policy"]);
    expect(docs.headers.get("content-security-policy")).toContain("style-src 'self' 'unsafe-inline'");
    expect(docs.headers.get("x-frame-options")).toBe("DENY");
  });

  it("never returns the password hash anywhere", async () => {
    const u = await signup();
    const res = await call("GET", `/users/${u.user.user_id}`, { token: u.access_token });
    expect(await res.text()).not.toMatch(/hash|scrypt/i);
  });
});
