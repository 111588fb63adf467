import { scrypt as scryptCallback, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Password hashing with scrypt from node:crypto (nodejs_compat).
 *
 * OWASP's password storage cheat sheet lists scrypt N=2^14, r=8, p=5 as one
 * acceptable setting. Production Workers cap scrypt at N*r*p <= 2^20 (these
 * give 655,360) and PBKDF2 at 100k iterations (below OWASP's 600k), while the
 * local runtime enforces neither; test/passwords.test.ts pins both facts.
 * The parameters are stored with each hash (`scrypt$N$r$p$salt$hash`), so a
 * later raise re-hashes users on their next successful login.
 */
export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 5, keyLength: 32, saltLength: 16 } as const;
/** The Workers platform limit on scrypt cost. */
export const WORKERS_SCRYPT_COST_CAP = 2 ** 20;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes plus overhead.
    const maxmem = 256 * params.N * params.r;
    scryptCallback(password.normalize("NFKC"), salt, keyLength, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMS;
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, { N, r, p }, keyLength);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every(Number.isSafeInteger) || N * r * p > WORKERS_SCRYPT_COST_CAP) return null;
  return { N, r, p, salt: Buffer.from(parts[4], "base64url"), key: Buffer.from(parts[5], "base64url") };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash was made with other parameters than today's. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  const { N, r, p, keyLength } = SCRYPT_PARAMS;
  return !parsed || parsed.N !== N || parsed.r !== r || parsed.p !== p || parsed.key.length !== keyLength;
}

/**
 * A hash of no real password, verified when a login names an unknown email so
 * that the response time does not reveal whether the account exists.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}
