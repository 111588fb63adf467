import { fromBase64Url, toBase64Url } from "./crypto";

/**
 * AES-GCM sealing of small secrets at rest (saved payment method ids, webhook
 * signing secrets) under WALLET_KEY, with a random 96-bit IV. The owner's id is
 * bound as additional data, so a row copied to another owner does not open.
 *
 * Rotation: put the new key in WALLET_KEY and the old one in WALLET_KEY_PREVIOUS. Everything
 * still opens (the previous key is tried second); the re-seal job (`reseal`, run by the daily
 * cron and by POST /admin/wallet-key/reseal) moves every row to the new key; then the previous
 * key can be deleted.
 */
type KeyEnv = Pick<Env, "WALLET_KEY"> & { WALLET_KEY_PREVIOUS?: string };

async function importKey(secret: string | undefined, name: string): Promise<CryptoKey> {
  const raw = secret ? fromBase64Url(secret) : new Uint8Array();
  if (raw.length !== 32) throw new Error(`${name} must be 32 bytes, base64url`);
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function key(env: KeyEnv): Promise<CryptoKey> {
  return importKey(env.WALLET_KEY, "WALLET_KEY");
}

export async function seal(env: Pick<Env, "WALLET_KEY">, owner: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(owner) },
      await key(env),
      new TextEncoder().encode(plain),
    ),
  );
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return toBase64Url(out);
}

async function openWith(k: CryptoKey, owner: string, sealed: string): Promise<string> {
  const bytes = fromBase64Url(sealed);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(owner) },
    k,
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}

export async function open(env: KeyEnv, owner: string, sealed: string): Promise<string> {
  try {
    return await openWith(await key(env), owner, sealed);
  } catch (err) {
    if (!env.WALLET_KEY_PREVIOUS) throw err;
    return openWith(await importKey(env.WALLET_KEY_PREVIOUS, "WALLET_KEY_PREVIOUS"), owner, sealed);
  }
}

/** The value sealed under the current key, or null when it already is (the re-seal job's step). */
export async function reseal(env: KeyEnv, owner: string, sealed: string): Promise<string | null> {
  try {
    await openWith(await key(env), owner, sealed);
    return null;
  } catch {
    return seal(env, owner, await open(env, owner, sealed));
  }
}
