/**
 * CSV for BI tools: a header row and one row per record, RFC 4180 quoting. A text cell that a
 * spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return;
 * product names are chosen by sellers) is prefixed with an apostrophe, OWASP's neutralisation.
 * Numbers are written as they are, so a negative amount stays a number.
 */
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "";
  const cols = Object.keys(rows[0]);
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\r\n")}\r\n`;
}
