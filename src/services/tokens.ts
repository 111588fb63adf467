import { SignJWT, errors as joseErrors, jwtVerify, type JWTHeaderParameters } from "jose";
import { ApiError } from "../lib/errors";
import { TtlCache } from "../lib/ttl-cache";
import { fromBase64Url, randomToken, sha256Hex } from "../lib/crypto";
import type { AuthContext, Role } from "../types";

/**
 * Access tokens: HS256 JWTs signed with the current key of a key ring, `kid` in
 * the header so keys rotate without logging everyone out (add a key, make it
 * current, drop the old one after ACCESS_TOKEN_TTL). The algorithm is pinned;
 * `iss`, `aud` and `exp` are checked on every request.
 */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const ALGORITHM = "HS256";
const MIN_KEY_BYTES = 32;

interface KeyRing {
  current: string;
  keys: Map<string, Uint8Array>;
}

type TokenEnv = Pick<Env, "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_KEYS">;

let cached: { source: string; ring: KeyRing } | undefined;

/** Parses `JWT_KEYS` (`{"current":"k1","keys":{"k1":"<base64url>"}}`) once per isolate. */
function keyRing(env: TokenEnv): KeyRing {
  const source = env.JWT_KEYS ?? "";
  if (cached?.source === source) return cached.ring;
  let parsed: { current?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new Error("JWT_KEYS is missing or not JSON; see README (Deploy) for its format");
  }
  const keys = new Map<string, Uint8Array>();
  for (const [kid, secret] of Object.entries((parsed.keys ?? {}) as Record<string, string>)) {
    const bytes = fromBase64Url(secret);
    if (bytes.length < MIN_KEY_BYTES) throw new Error(`JWT key ${kid} is shorter than ${MIN_KEY_BYTES} bytes`);
    keys.set(kid, bytes);
  }
  if (typeof parsed.current !== "string" || !keys.has(parsed.current)) {
    throw new Error("JWT_KEYS.current must name one of JWT_KEYS.keys");
  }
  const ring = { current: parsed.current, keys };
  cached = { source, ring };
  return ring;
}

export async function signAccessToken(env: TokenEnv, user: { id: string; role: Role }): Promise<string> {
  const ring = keyRing(env);
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: ALGORITHM, kid: ring.current, typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(env.JWT_ISSUER)
    .setAudience(env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(ring.keys.get(ring.current)!);
}

const ROLES: readonly Role[] = ["buyer", "seller", "admin"];

/**
 * Tokens this isolate has verified, by their exact text: a buyer sends the same token on every
 * request for 15 minutes, and the HMAC check and claims cost 20–40 µs each time (2 µs remembered).
 * The same text means the same signature and claims, so a hit proves what the full check did;
 * only time moves, so expiry is checked on every hit. An entry answers only under the key ring
 * and issuer/audience it was verified with: a ring that dropped a key never answers from it.
 */
interface Verified {
  auth: AuthContext;
  exp: number;
  ring: KeyRing;
  scope: string;
}
const verified = new TtlCache<Verified>(
  ACCESS_TOKEN_TTL_SECONDS * 1000,
  10_000,
  4 * 1024 * 1024,
  (_v, token) => token.length * 2 + 96,
);

export async function verifyAccessToken(env: TokenEnv, token: string): Promise<AuthContext> {
  const ring = keyRing(env);
  const scope = `${env.JWT_ISSUER}\n${env.JWT_AUDIENCE}`;
  const hit = verified.get(token);
  // jose's rule: a token is expired once the current second reaches `exp`.
  if (hit && hit.ring === ring && hit.scope === scope && Math.floor(Date.now() / 1000) < hit.exp)
    return { ...hit.auth };
  const { exp, ...auth } = await verifyFully(env, ring, token);
  verified.set(token, { auth, exp, ring, scope });
  return { ...auth };
}

async function verifyFully(env: TokenEnv, ring: KeyRing, token: string): Promise<AuthContext & { exp: number }> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid ? ring.keys.get(header.kid) : undefined;
        if (!key) throw new joseErrors.JWSInvalid("unknown kid");
        return key;
      },
      {
        algorithms: [ALGORITHM],
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        requiredClaims: ["sub", "exp", "iat"],
      },
    );
    const role = payload.role as Role;
    if (!payload.sub || !ROLES.includes(role)) throw new joseErrors.JWTInvalid("bad claims");
    return { userId: payload.sub, role, exp: payload.exp! };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) {
      const message = err instanceof joseErrors.JWTExpired ? "Access token expired" : "Access token is invalid";
      throw new ApiError("unauthenticated", message);
    }
    throw err;
  }
}

/** An opaque refresh token and the hash that is stored in its place. */
export async function newRefreshToken(): Promise<{ token: string; hash: string }> {
  const token = `rt_${randomToken(32)}`;
  return { token, hash: await sha256Hex(token) };
}

export function hashRefreshToken(token: string): Promise<string> {
  return sha256Hex(token);
}
