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

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (let i = 0; i < 16; i++) out += ALPHABET[bytes[i] & 31];
  return out;
}

export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${encodeRandom()}`;
}

/** True when `id` looks like an id of `kind` (prefix and 26 base32 chars). */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id);
}
