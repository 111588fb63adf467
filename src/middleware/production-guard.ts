import { createMiddleware } from "hono/factory";
import { ApiError } from "../lib/errors";
import { log } from "../lib/logger";
import type { AppEnv } from "../types";

/**
 * A deployed Worker (ENVIRONMENT production or staging) must not quietly run on local parts: mail
 * stored in a table instead of sent, the test payment provider, a missing secret, loopback
 * webhook hosts. While any of these is so, it refuses to serve: GET /health answers 503 with the
 * list, and every write answers 503 `service_unavailable`. Reads of the catalog still work.
 * Database ids cannot be seen from inside the Worker; `npm run deploy:check` refuses placeholders.
 */
const DEPLOYED = new Set(["production", "staging"]);

export function misconfiguration(env: Partial<Env>): string[] {
  if (!DEPLOYED.has(String(env.ENVIRONMENT))) return [];
  const problems: string[] = [];
  if (env.EMAIL_PROVIDER !== "resend")
    problems.push(`EMAIL_PROVIDER is "${env.EMAIL_PROVIDER}"; a deployed store sends mail (resend)`);
  if (env.SMS_PROVIDER !== "twilio")
    problems.push(`SMS_PROVIDER is "${env.SMS_PROVIDER}"; a deployed store sends SMS (twilio)`);
  if (env.PAYMENT_PROVIDER !== "stripe")
    problems.push(`PAYMENT_PROVIDER is "${env.PAYMENT_PROVIDER}"; a deployed store charges through stripe`);
  const secrets: (keyof Env)[] = [
    "JWT_KEYS",
    "WALLET_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "EMAIL_API_KEY",
    "SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN",
    "ADMIN_BOOTSTRAP_TOKEN",
  ];
  for (const name of secrets) if (!env[name]) problems.push(`secret ${name} is not set (wrangler secret put ${name})`);
  if (env.WEBHOOK_ALLOWED_HOSTS)
    problems.push("WEBHOOK_ALLOWED_HOSTS must be empty in a deployed store (it admits loopback receivers)");
  return problems;
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let logged = false;
/** The bindings object is the isolate's for its life: its verdict is worked out once. */
const verdicts = new WeakMap<object, string[]>();

export const productionGuard = createMiddleware<AppEnv>(async (c, next) => {
  let problems = verdicts.get(c.env);
  if (!problems) verdicts.set(c.env, (problems = misconfiguration(c.env)));
  if (problems.length === 0) return next();
  if (!logged) {
    logged = true;
    log("error", "refusing to serve: misconfigured deployment", { problems });
  }
  if (c.req.path === "/health") return c.json({ status: "misconfigured", problems }, 503);
  if (WRITES.has(c.req.method))
    throw new ApiError("service_unavailable", "This deployment is misconfigured and refuses writes; see GET /health");
  return next();
});
