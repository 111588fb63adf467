// What the in-runtime bench files share: tokens signed with the test key ring, calls to the
// Worker's own fetch handler (each from its own address, so per-IP limits do not couple
// callers), and a closed loop of concurrent callers with rate and percentiles.
import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";

export async function token(sub: string, role: string): Promise<string> {
  const ring = JSON.parse(env.JWT_KEYS) as { current: string; keys: Record<string, string> };
  const key = Uint8Array.from(atob(ring.keys[ring.current].replace(/-/g, "+").replace(/_/g, "/")), (c) =>
    c.charCodeAt(0),
  );
  return new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256", kid: ring.current, typ: "JWT" })
    .setSubject(sub)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("30m")
    .sign(key);
}

let ip = 0;
export function call(method: string, path: string, tok?: string, body?: unknown): Promise<Response> {
  ip++;
  const headers: Record<string, string> = {
    "cf-connecting-ip": `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`,
  };
  if (tok) headers.authorization = `Bearer ${tok}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return exports.default.fetch(
    new Request(`http://bench.local${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** `n` calls of `one` from `concurrency` callers at once; each returns the status it got. */
export async function run(n: number, concurrency: number, one: (k: number) => Promise<number>) {
  let next = 0;
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const k = next++;
        const s = Date.now();
        const status = await one(k);
        latencies.push(Date.now() - s);
        codes[status] = (codes[status] ?? 0) + 1;
      }
    }),
  );
  const rps = n / ((Date.now() - t0) / 1000);
  latencies.sort((a, b) => a - b);
  return { rps, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), codes };
}
