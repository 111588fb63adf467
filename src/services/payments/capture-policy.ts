import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { paymentSettings } from "../../db/schema/payments";

/**
 * The platform's capture policy, set by an admin:
 * - `capture`: `on_shipment` authorises at checkout and captures per seller shipment;
 *   `immediate` captures the whole order at checkout.
 * - `on_expiry`: what the cron does with an authorisation about to lapse (Stripe lets one lapse
 *   after 7 days): `capture` its unshipped lines, or `release` them (they are cancelled and restocked).
 * - `expiry_margin_hours`: how long before the lapse the cron acts.
 */
export const CapturePolicy = z
  .object({
    capture: z.enum(["on_shipment", "immediate"]),
    on_expiry: z.enum(["capture", "release"]),
    expiry_margin_hours: z.number().int().min(1).max(144),
  })
  .strict()
  .openapi("CapturePolicy");
export type CapturePolicy = z.infer<typeof CapturePolicy>;

const DEFAULT_CAPTURE_POLICY: CapturePolicy = {
  capture: "on_shipment",
  on_expiry: "capture",
  expiry_margin_hours: 24,
};

/** How long a card authorisation holds at the provider (Stripe: 7 days for online card payments). */
export const AUTHORISATION_WINDOW_MS = 7 * 86_400_000;

const KEY = "capture_policy";
/** Read once per isolate every 10 s: a checkout must not pay a D1 round trip for it. */
const TTL_MS = 10_000;
let cached: { at: number; policy: CapturePolicy } | null = null;

export async function capturePolicy(env: Pick<Env, "DB">): Promise<CapturePolicy> {
  if (cached && Date.now() - cached.at < TTL_MS) return cached.policy;
  const row = await getDb(env).select().from(paymentSettings).where(eq(paymentSettings.key, KEY)).get();
  const parsed = CapturePolicy.safeParse({ ...DEFAULT_CAPTURE_POLICY, ...(row?.value ?? {}) });
  const policy = parsed.success ? parsed.data : DEFAULT_CAPTURE_POLICY;
  cached = { at: Date.now(), policy };
  return policy;
}

export async function setCapturePolicy(env: Pick<Env, "DB">, patch: Partial<CapturePolicy>): Promise<CapturePolicy> {
  const policy = CapturePolicy.parse({ ...(await capturePolicy(env)), ...patch });
  await getDb(env)
    .insert(paymentSettings)
    .values({ key: KEY, value: policy })
    .onConflictDoUpdate({ target: paymentSettings.key, set: { value: policy, updatedAt: new Date().toISOString() } });
  cached = { at: Date.now(), policy };
  return policy;
}
