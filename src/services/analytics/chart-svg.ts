import { formatMinorUnits } from "../../lib/money";

/**
 * A revenue-per-day bar chart as SVG, rendered on the server so the dashboard shows it without a
 * chart library. Every day of the range gets a bar (days without sales are zero, not missing),
 * each bar carries its own <title> for a tooltip, and the chart's title names the total for
 * screen readers; the page keeps a table of the same numbers as its fallback. No inline style:
 * the page's CSP forbids it, so colours come from classes (.chart .bar in app.css).
 */
export type DayValue = { date: string; revenue: number };

const MAX_DAYS = 366;
const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 64, right: 8, top: 12, bottom: 28 };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dollars = (cents: number) => `$${formatMinorUnits(cents)}`;
/** Whole dollars with thousands separators, for the axis ($12,500). */
const axisDollars = (cents: number) => `$${Math.round(cents / 100).toLocaleString("en-US")}`;

/** Each day from `from` to `to` (UTC, inclusive), at most a year of them. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); out.length < MAX_DAYS; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    if (day > to) break;
    out.push(day);
  }
  return out;
}

/** A round axis maximum (1, 2 or 5 times a power of ten) at or above the largest value. */
export function niceMax(max: number): number {
  if (max <= 0) return 100;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export function revenueChartSvg(title: string, range: { from: string; to: string }, rows: DayValue[]): string {
  const byDay = new Map(rows.map((r) => [r.date, Number(r.revenue) || 0]));
  const days = daysBetween(range.from, range.to);
  const values = days.map((d) => byDay.get(d) ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  const top = niceMax(Math.max(0, ...values));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const bars = days
    .map((d, i) => {
      const v = values[i];
      const h = Math.max(0, (v / top) * plotH);
      const x = PAD.left + i * slot + (slot - barW) / 2;
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${d}: ${dollars(v)}</title></rect>`;
    })
    .join("");
  const grid = [0, 0.5, 1]
    .map((f) => {
      const v = Math.round(top * f);
      const gy = y(v).toFixed(1);
      return `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${gy}" y2="${gy}"/><text class="axis" x="${PAD.left - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${axisDollars(v)}</text>`;
    })
    .join("");
  const labels = days.length
    ? [0, days.length - 1]
        .map(
          (i, k) =>
            `<text class="axis" x="${(PAD.left + i * slot + slot / 2).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="${k ? "end" : "start"}">${days[i]}</text>`,
        )
        .join("")
    : "";
  const summary = `${title}: ${dollars(total)} from ${range.from} to ${range.to}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${WIDTH} ${HEIGHT}"><title id="chart-title">${esc(summary)}</title>${grid}${bars}${labels}</svg>`;
}
