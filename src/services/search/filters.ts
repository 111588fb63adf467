import { ApiError } from "../../lib/errors";
import { facetableAttributes } from "../catalog/attributes";
import type { ProductRecord } from "../catalog/product-reads";

/** Attribute filters (facets) as search takes them, checked against the category's schema, and the variants a filter matches. */
/** The most values one attribute filter may list (`size=S,M,L`). */
const MAX_FILTER_VALUES = 20;

/**
 * The attribute filters of a search request: every query parameter that is not one of search's
 * own. Each must name a facetable attribute (else a 400, as for any unknown field); `size=M,L`
 * and `size=M&size=L` both mean either.
 */
export async function attributeFilters(
  env: Pick<Env, "DB">,
  query: Record<string, string[]>,
  known: Set<string>,
  opts: { ignoreUnknown?: boolean } = {},
): Promise<Record<string, string[]>> {
  let names = Object.keys(query).filter((k) => !known.has(k));
  if (names.length === 0) return {};
  const facetable = await facetableAttributes(env);
  const bad = names.filter((n) => !facetable.has(n));
  // A page (the storefront) drops what it does not know instead of failing.
  if (opts.ignoreUnknown) names = names.filter((n) => facetable.has(n));
  else if (bad.length) {
    throw new ApiError("validation_failed", `Unknown search parameter ${bad[0]}`, {
      details: bad.slice(0, 20).map((n) => ({
        field: n,
        code: "unrecognized",
        message: facetable.size
          ? `not a search parameter or facetable attribute (${[...facetable.keys()].slice(0, 20).join(", ")})`
          : "not a search parameter",
      })),
    });
  }
  const out: Record<string, string[]> = {};
  for (const n of names.sort()) {
    const values = [
      ...new Set(
        query[n]
          .flatMap((v) => v.split(","))
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ];
    if (values.length === 0 || values.length > MAX_FILTER_VALUES || values.some((v) => v.length > 60)) {
      throw new ApiError("validation_failed", `${n} takes 1 to ${MAX_FILTER_VALUES} values`, {
        details: [
          {
            field: n,
            code: "invalid_value",
            message: `1 to ${MAX_FILTER_VALUES} values of at most 60 characters, comma-separated`,
          },
        ],
      });
    }
    out[n] = values.sort();
  }
  return out;
}

/** A hit's variants that match the filters on variant options (all of them when no filter names one). */
export function matchingVariants(row: ProductRecord, filters: Record<string, string[]>) {
  const onOptions = Object.entries(filters).filter(([name]) => row.variants.some((v) => name in v.options));
  const want = onOptions.map(([name, values]) => [name, new Set(values.map((v) => v.toLowerCase()))] as const);
  const matching = row.variants.filter((v) =>
    want.every(([name, values]) => values.has((v.options[name] ?? "").toLowerCase())),
  );
  return {
    filtered: onOptions.length > 0,
    variants: matching.map((v) => ({ variant_id: v.id, options: v.options, in_stock: v.stockAvailable > 0 })),
  };
}
