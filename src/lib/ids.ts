/**
 * Prefixed, time-sortable ids (`usr_01JD...`): a 48-bit millisecond timestamp and
 * 80 random bits in Crockford base32, the ULID layout. Ids created later sort
 * after earlier ones (within a millisecond, randomly), which keeps D1 indexes
 * append-mostly and makes ids usable as pagination cursors.
 */
const ID_PREFIXES = {
  user: "usr",
  refreshToken: "rtk",
  product: "prd",
  category: "cat",
  cart: "crt",
  cartItem: "cti",
  order: "ord",
  orderItem: "oit",
  payment: "pay",
  refund: "ref",
  review: "rev",
  notification: "ntf",
  coupon: "cpn",
  reservation: "rsv",
  event: "evt",
  request: "req",
  deadLetter: "dlq",
  walletEntry: "wle",
  walletMethod: "wpm",
  message: "msg",
  webhook: "whk",
  webhookDelivery: "whd",
  accountToken: "atk",
  audit: "aud",
  return: "ret",
  ledgerEntry: "led",
  payout: "po",
  variant: "var",
  attribute: "att",
  shippingRate: "shr",
  bid: "bid",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The last millisecond encoded, and its text: ids made in the same millisecond share it. */
let lastMs = -1;
let lastTime = "";

function encodeTime(ms: number): string {
  if (ms === lastMs) return lastTime;
  let out = "";
  for (let i = 0, t = ms; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  lastMs = ms;
  lastTime = out;
  return out;
}

/**
 * Random bytes drawn 4 KB at a time: every request makes at least one id (its request id) and a
 * checkout several, and one getRandomValues call and buffer per id was a visible share of a
 * request's allocations. Filled lazily: Workers refuse randomness outside a request.
 */
const POOL_BYTES = 4096;
let pool: Uint8Array | null = null;
let poolAt = POOL_BYTES;

function encodeRandom(): string {
  if (poolAt + 16 > POOL_BYTES || !pool) {
    pool = crypto.getRandomValues(pool ?? new Uint8Array(POOL_BYTES));
    poolAt = 0;
  }
  const b = pool;
  const i = poolAt;
  poolAt += 16;
  let out = "";
  for (let k = 0; k < 16; k++) out += ALPHABET[b[i + k] & 31];
  return out;
}

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${encodeRandom()}`;
}

/** True when `id` looks like an id of `kind` (prefix and 26 base32 chars). */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id);
}
