import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { createApp } from "../src/app";
import { overridePaymentProvider } from "../src/services/payments";
import { TestPaymentProvider } from "../src/services/payments/test-provider";

/** Requests are addressed to the loopback: nothing is dialled (the handler is called in-process). */
const BASE = "http://127.0.0.1";
type CallOpts = {
  body?: unknown;
  raw?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
  /** `manual`: answer a redirect instead of following it (a followed one would come back into the Worker). */
  redirect?: "manual";
};

function request(method: string, path: string, opts: CallOpts): Request {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", uniqueIp());
  return new Request(`${BASE}${path}`, {
    method,
    headers,
    body,
    ...(opts.redirect ? { redirect: opts.redirect } : {}),
  });
}

/** The Worker under test, called through its real fetch handler (routing, middleware, bindings). */
export async function call(method: string, path: string, opts: CallOpts = {}): Promise<Response> {
  return exports.default.fetch(request(method, path, opts));
}

let varsApp: ReturnType<typeof createApp> | undefined;
/** The same app with some bindings or vars changed (a production-mode env, read replicas on). */
export async function callWithVars(
  vars: Partial<Env>,
  method: string,
  path: string,
  opts: CallOpts = {},
): Promise<Response> {
  varsApp ??= createApp();
  const ctx = createExecutionContext();
  const res = await varsApp.fetch(request(method, path, opts), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

let counter = 0;
/** A fresh suffix per call, so tests never collide on emails or usernames. */
export function unique(prefix = "u"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** A distinct client address per request unless a test pins one, so IP rate limits do not couple tests. */
export function uniqueIp(): string {
  counter += 1;
  return `198.51.${(counter >> 8) & 255}.${counter & 255}`;
}

export interface TestUser {
  user: { user_id: string; email: string; role: string; username: string };
  access_token: string;
  refresh_token: string;
  password: string;
}

export async function signup(
  overrides: Partial<{ email: string; username: string; password: string; role: string; phone_number: string }> = {},
): Promise<TestUser> {
  const name = unique();
  const password = overrides.password ?? "s3cret-passw0rd";
  const res = await call("POST", "/auth/signup", {
    body: { email: `${name}@example.com`, username: name, password, ...overrides },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  return { ...(await json(res)), password };
}

let admin: TestUser | undefined;
/** The bootstrap admin (ADMIN_EMAIL, signed up with ADMIN_BOOTSTRAP_TOKEN), created on first use. */
export async function adminUser(): Promise<TestUser> {
  if (admin) return admin;
  const password = "admin-password-1";
  const login = await call("POST", "/auth/login", { body: { email: env.ADMIN_EMAIL, password } });
  if (login.status === 200) return (admin = { ...(await json<Omit<TestUser, "password">>(login)), password });
  const res = await call("POST", "/auth/signup", {
    body: { email: env.ADMIN_EMAIL, username: unique("root"), password },
    headers: { "x-admin-bootstrap": env.ADMIN_BOOTSTRAP_TOKEN! },
  });
  if (res.status !== 201) throw new Error(`admin bootstrap failed: ${res.status} ${await res.text()}`);
  return (admin = { ...(await json<Omit<TestUser, "password">>(res)), password });
}

export async function createCategory(name: string, parent_id?: string): Promise<{ category_id: string }> {
  const a = await adminUser();
  const res = await call("POST", "/categories", {
    token: a.access_token,
    body: { name, ...(parent_id ? { parent_id } : {}) },
  });
  if (res.status !== 201) throw new Error(`category failed: ${res.status} ${await res.text()}`);
  return json(res);
}

export async function createProduct(
  seller: TestUser,
  category_id: string,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const res = await call("POST", "/products", {
    token: seller.access_token,
    body: {
      name: `Widget ${unique()}`,
      description: "A fine widget",
      price: 1999,
      category_id,
      stock_available: 10,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`product failed: ${res.status} ${await res.text()}`);
  return json(res);
}

/**
 * Installs the test payment provider with the money it gives back recorded: refunds of captured
 * charges and releases of authorisations (under the default capture policy a checkout only
 * authorises, so undoing one releases it). Returns the payment refs (reset with overridePaymentProvider(null)).
 */
export function recordRefunds(): string[] {
  const refunds: string[] = [];
  overridePaymentProvider(
    new (class extends TestPaymentProvider {
      override async refund(req: { paymentRef: string; amount: number; idempotencyKey: string }) {
        refunds.push(req.paymentRef);
        return super.refund(req);
      }
      override async release(paymentRef: string, idempotencyKey: string) {
        refunds.push(paymentRef);
        return super.release(paymentRef, idempotencyKey);
      }
    })(),
  );
  return refunds;
}
