/**
 * Money is always an integer number of minor units (cents for "usd"). These
 * helpers are the only place decimal amounts are parsed or fractions rounded.
 */
/**
 * Parses a decimal amount in major units ("850.00", "49.99", 19.5) into minor
 * units without going through binary floating point for strings.
 */
export function toMinorUnits(amount: string | number): number {
  const text = typeof amount === "number" ? amount.toFixed(2) : amount.trim().replace(/,/g, "");
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`not a money amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, frac = ""] = match;
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount out of range: ${amount}`);
  return sign ? -cents : cents;
}

/** "12.34" for 1234; for display and exports only, never for arithmetic. */
export function formatMinorUnits(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Rounds half away from zero: the usual commercial rounding for a single amount. */
function roundHalfUp(numerator: number, denominator: number): number {
  const q = Math.floor(Math.abs(numerator) / denominator);
  const r = Math.abs(numerator) % denominator;
  const rounded = r * 2 >= denominator ? q + 1 : q;
  return Math.sign(numerator) * rounded;
}

/** `percent` may have up to two decimals (12.5%); the result is rounded to the cent. */
export function percentOf(amount: number, percent: number): number {
  assertMinor(amount);
  const basisPoints = Math.round(percent * 100);
  return roundHalfUp(amount * basisPoints, 10_000);
}

/** Multiplies a unit price by a quantity, checking the result stays an exact integer. */
export function lineTotal(unitPrice: number, quantity: number): number {
  assertMinor(unitPrice);
  const total = unitPrice * quantity;
  if (!Number.isSafeInteger(total)) throw new RangeError("line total out of range");
  return total;
}

/**
 * Splits `amount` across `weights` proportionally so the parts add up exactly to
 * `amount` (largest-remainder method). Used to spread an order discount or a
 * partial refund over its lines.
 */
export function allocate(amount: number, weights: number[]): number[] {
  assertMinor(amount);
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (total <= 0) return weights.map((_, i) => (i === 0 ? amount : 0));
  const raw = weights.map((w) => (amount * w) / total);
  const parts = raw.map((x) => Math.floor(x));
  let rest = amount - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) parts[order[k].i] += 1;
  return parts;
}

function assertMinor(amount: number): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money must be integer minor units, got ${amount}`);
}
