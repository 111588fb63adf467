/**
 * The Worker's configuration (wrangler.toml [vars], secrets aside), parsed in one place into a
 * typed object: every module asks `config(env)` instead of reading and converting a variable
 * itself. A value that does not parse takes its default, as each reader did before (parsing never
 * throws: one bad variable must not take every route down); a deployed
 * store's required settings are checked by the production guard (src/middleware/production-guard.ts).
 * Parsed once per env object (a WeakMap): the bindings object is the isolate's for its lifetime.
 */
export interface Config {
  environment: string;
  /** Order databases: DB, then ORDERS_DB_1… (src/db/shards.ts). At least 1. */
  orderShards: number;
  /** Search index shards, 1 to 256 (default 4). */
  searchShards: number;
  /** Sign-ups per IP per hour (default 20). */
  signupLimitPerHour: number;
  paymentProvider: "stripe" | "test";
  taxProvider: "table" | "stripe";
  emailProvider: "sink" | "resend";
  smsProvider: "sink" | "twilio";
  /** Production's limits asserted in-process (tests). */
  limitChecks: boolean;
  /** Per-user and per-IP write limits (off only for load tests). */
  writeLimits: boolean;
  /** The Cache API in front of product pages, categories and feeds. */
  edgeCache: boolean;
  stripeApiBase: string;
  /** Stripe product tax codes by tax class (STRIPE_TAX_CODES, JSON), as set: parseTaxCodes reads it where it is used. */
  stripeTaxCodes: string;
  /** The exchange-rate feed; null: rates only by PUT /admin/fx-rates. */
  fxRatesUrl: string | null;
}

type Vars = Partial<Record<keyof Env, unknown>>;

const parsed = new WeakMap<object, Config>();

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
function int(v: unknown, fallback: number, min: number, max: number): number {
  const n = Number(text(v) || Number.NaN);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}
function oneOf<T extends string>(v: unknown, values: readonly T[], fallback: T): T {
  const s = text(v) as T;
  return values.includes(s) ? s : fallback;
}

/** STRIPE_TAX_CODES: a JSON object of Stripe tax codes (`txcd_` and 8 digits); anything else is refused loudly. */
export function parseTaxCodes(raw: unknown): Record<string, string> {
  const s = text(raw);
  if (!s) return {};
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    value = null;
  }
  if (
    !value ||
    typeof value !== "object" ||
    Object.values(value).some((c) => typeof c !== "string" || !/^txcd_\d{8}$/.test(c))
  ) {
    throw new Error('STRIPE_TAX_CODES must be JSON like { "food": "txcd_12345678" }');
  }
  return value as Record<string, string>;
}

export function parseConfig(env: Vars): Config {
  return {
    environment: text(env.ENVIRONMENT) || "development",
    orderShards: int(env.ORDER_SHARDS, 1, 1, 64),
    searchShards: int(env.SEARCH_SHARDS, 4, 1, 256),
    signupLimitPerHour: int(env.SIGNUP_LIMIT_PER_HOUR, 20, 1, 1_000_000),
    paymentProvider: oneOf(env.PAYMENT_PROVIDER, ["stripe", "test"] as const, "stripe"),
    taxProvider: oneOf(env.TAX_PROVIDER, ["table", "stripe"] as const, "table"),
    emailProvider: oneOf(env.EMAIL_PROVIDER, ["sink", "resend"] as const, "sink"),
    smsProvider: oneOf(env.SMS_PROVIDER, ["sink", "twilio"] as const, "sink"),
    limitChecks: text(env.LIMIT_CHECKS) === "on",
    writeLimits: text(env.WRITE_LIMITS) !== "off",
    edgeCache: text(env.EDGE_CACHE) !== "off",
    stripeApiBase: text(env.STRIPE_API_BASE) || "https://api.stripe.com",
    stripeTaxCodes: text(env.STRIPE_TAX_CODES),
    fxRatesUrl: text(env.FX_RATES_URL) || null,
  };
}

export function config(env: Vars): Config {
  let c = parsed.get(env);
  if (!c) {
    c = parseConfig(env);
    parsed.set(env, c);
  }
  return c;
}
