import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { misconfiguration } from "../src/middleware/production-guard";
import { callWithVars } from "./helpers";

const callAs = (vars: Partial<Env>, method: string, path: string, body?: unknown) =>
  callWithVars(vars, method, path, { body });

const configured: Partial<Env> = {
  ENVIRONMENT: "production",
  EMAIL_PROVIDER: "resend",
  SMS_PROVIDER: "twilio",
  PAYMENT_PROVIDER: "stripe",
  STRIPE_SECRET_KEY: "sk_test_x",
  EMAIL_API_KEY: "re_x",
  SMS_ACCOUNT_SID: "AC_x",
  SMS_AUTH_TOKEN: "tok",
  WEBHOOK_ALLOWED_HOSTS: "",
};

/** Issue 17: a default deploy stored mail in a table next to ENVIRONMENT = "production". */
describe("a deployed Worker refuses to serve on local parts", () => {
  it("turns /health red and refuses writes when a provider is the sink", async () => {
    const vars = { ...configured, EMAIL_PROVIDER: "sink" };
    const health = await callAs(vars, "GET", "/health");
    expect(health.status).toBe(503);
    const body = await health.json<{ status: string; problems: string[] }>();
    expect(body.status).toBe("misconfigured");
    expect(body.problems.join(" ")).toContain("EMAIL_PROVIDER");
    const write = await callAs(vars, "POST", "/auth/login", { email: "a@b.example", password: "whatever1" });
    expect(write.status).toBe(503);
    expect((await write.json<any>()).error.code).toBe("service_unavailable");
    // Reads of the catalog still answer.
    expect((await callAs(vars, "GET", "/categories")).status).toBe(200);
  });

  it("names each missing secret and a test payment provider", () => {
    const problems = misconfiguration({
      ...configured,
      PAYMENT_PROVIDER: "test",
      STRIPE_WEBHOOK_SECRET: "",
      ADMIN_BOOTSTRAP_TOKEN: "",
    } as Partial<Env>);
    expect(problems.some((p) => p.includes("PAYMENT_PROVIDER"))).toBe(true);
    expect(problems.some((p) => p.includes("STRIPE_WEBHOOK_SECRET"))).toBe(true);
    expect(problems.some((p) => p.includes("ADMIN_BOOTSTRAP_TOKEN"))).toBe(true);
  });

  it("serves when everything is configured, and never judges a local or test run", () => {
    expect(misconfiguration({ ...env, ...configured })).toEqual([]);
    expect(misconfiguration({ ...env, ENVIRONMENT: "development", EMAIL_PROVIDER: "sink" })).toEqual([]);
  });
});
