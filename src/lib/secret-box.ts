import { fromBase64Url, toBase64Url } from "./crypto";

/**
 * AES-GCM sealing of small secrets at rest (saved payment method ids, webhook
 * signing secrets) under WALLET_KEY, with a random 96-bit IV. The owner's id is
 * bound as additional data, so a row copied to another owner does not open.
 */
async function key(env: Pick<Env, "WALLET_KEY">): Promise<CryptoKey> {
  const raw = env.WALLET_KEY ? fromBase64Url(env.WALLET_KEY) : new Uint8Array();
  if (raw.length !== 32) throw new Error("WALLET_KEY must be 32 bytes, base64url");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function seal(env: Pick<Env, "WALLET_KEY">, owner: string, plain: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(owner) }, await key(env), new TextEncoder().encode(plain)),
  );
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return toBase64Url(out);
}

export async function open(env: Pick<Env, "WALLET_KEY">, owner: string, sealed: string): Promise<string> {
  const bytes = fromBase64Url(sealed);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(owner) },
    await key(env),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}
