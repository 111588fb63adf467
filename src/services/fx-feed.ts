import { MINOR_UNITS, BASE_CURRENCY } from "../lib/currency";
import { config } from "../lib/config";
import { log } from "../lib/logger";
import { rates, setRates } from "./fx";

/**
 * The exchange-rate job: reads the European Central Bank's daily reference rates (euro-based,
 * `<Cube currency='USD' rate='1.0876'/>`, published on working days around 16:00 CET) from
 * `FX_RATES_URL` and sets the store's rates per 1 USD. Unset (local, tests): the job does nothing
 * and admins set rates with PUT /admin/fx-rates. Decimals are parsed as integers, never floats.
 */

/** A feed that moves a rate more than this in one day is more likely broken than the market: that currency keeps its rate. */
const MAX_DAILY_MOVE_BP = 1_500;
const SCALE = 1_000_000n;

/** "1.0876" → 1087600n (millionths), exactly. */
function millionths(decimal: string): bigint | null {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(decimal);
  if (!m) return null;
  return BigInt(m[1]) * SCALE + BigInt((m[2] ?? "").padEnd(6, "0"));
}

/** The feed's date and its rates per 1 EUR (millionths), or an error naming what is wrong with it. */
function parseEcbFeed(xml: string): { date: string; perEur: Map<string, bigint> } | { error: string } {
  const date = /<Cube\s+time=['"](\d{4}-\d{2}-\d{2})['"]/.exec(xml)?.[1];
  if (!date) return { error: "no date in the feed" };
  const perEur = new Map<string, bigint>([["eur", SCALE]]);
  for (const m of xml.matchAll(/<Cube\s+currency=['"]([A-Z]{3})['"]\s+rate=['"]([0-9.]+)['"]\s*\/>/g)) {
    const v = millionths(m[2]);
    if (v && v > 0n) perEur.set(m[1].toLowerCase(), v);
  }
  if (!perEur.has(BASE_CURRENCY)) return { error: `the feed has no ${BASE_CURRENCY.toUpperCase()} rate` };
  return { date, perEur };
}

export interface FxRefresh {
  source: string | null;
  updated: string[];
  /** Currencies whose feed rate moved more than MAX_DAILY_MOVE_BP: left as they were. */
  refused: { currency: string; from: number; to: number }[];
  skipped?: string;
}

export async function refreshFxRates(
  env: Pick<Env, "DB" | "FX_RATES_URL">,
  fetchFn: typeof fetch = fetch,
): Promise<FxRefresh> {
  const url = config(env).fxRatesUrl;
  if (!url) return { source: null, updated: [], refused: [], skipped: "FX_RATES_URL is not set" };
  const res = await fetchFn(url, {
    signal: AbortSignal.timeout(10_000),
    headers: { accept: "application/xml, text/xml" },
  });
  if (!res.ok) throw new Error(`exchange-rate feed answered ${res.status}`);
  const feed = parseEcbFeed(await res.text());
  if ("error" in feed) throw new Error(`exchange-rate feed unreadable: ${feed.error}`);
  const usd = feed.perEur.get(BASE_CURRENCY)!;
  const current = await rates(env);
  const next: Record<string, number> = {};
  const refused: FxRefresh["refused"] = [];
  for (const c of Object.keys(MINOR_UNITS)) {
    const perEur = feed.perEur.get(c);
    if (c === BASE_CURRENCY || !perEur) continue;
    // Per 1 USD = (per 1 EUR) / (USD per 1 EUR), in millionths, rounded half up.
    const micro = Number((perEur * SCALE * 2n + usd) / (usd * 2n));
    const before = current.get(c);
    if (before && Math.abs(micro - before) * 10_000 > before * MAX_DAILY_MOVE_BP) {
      refused.push({ currency: c, from: before, to: micro });
      continue;
    }
    next[c] = micro;
  }
  if (refused.length) log("warn", "exchange-rate feed moved rates too far; kept the old ones", { refused });
  const source = `ecb:${feed.date}`;
  if (Object.keys(next).length) await setRates(env, next, source);
  return { source, updated: Object.keys(next).sort(), refused };
}
