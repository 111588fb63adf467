/**
 * The checkout's optimistic price check. A checkout may price its cart from rows it read earlier
 * (readPricing's cache) if the batch that writes the order also proves, in the same transaction,
 * that every product still has the version those rows came from. Any write of a product or its
 * variants bumps `products.version`, so an order is never written at a price, status or variant
 * that changed: the batch fails and the checkout prices again from D1. This also closes the gap a
 * fresh read leaves, between reading the price and writing the order.
 *
 * SQLite raises errors in plain statements only from its functions, so the guard is a SELECT that
 * evaluates a malformed JSON path when a version differs: the statement fails and D1 rolls the
 * whole batch back. The path names the guard, which is how `isStalePricing` recognises the error.
 */

const MARK = "stale_pricing";

/** One statement per product, to run first in the batch that writes the order (on the catalog's database). */
export function pricingGuardStatements(d1: D1Database, rows: { id: string; version: number }[]): D1PreparedStatement[] {
  return rows.map((r) =>
    d1
      .prepare(
        `SELECT CASE WHEN (SELECT version FROM products WHERE id = ?1) IS ?2 THEN 1 ELSE json_extract('{}', '${MARK}') END AS current`,
      )
      .bind(r.id, r.version),
  );
}

/** Whether a failed batch failed on a pricing guard (a product changed since it was priced). */
export function isStalePricing(err: unknown): boolean {
  const text = `${err instanceof Error ? err.message : String(err)} ${String((err as { cause?: unknown })?.cause ?? "")}`;
  return text.includes(MARK);
}
