import type { Product } from "../schemas/catalog";
import { Layout, money } from "./layout";
import { Card } from "./card";

/** The search page: results, facets as toggles, sort and pages, all plain links (works before the script runs). */

export interface SearchView {
  q: string;
  params: Record<string, string>;
  total: number;
  data: (Omit<Product, "variants"> & { highlights: { name: string } })[];
  facets: {
    brand: Record<string, number>;
    category_id: Record<string, number>;
    price_range: Record<string, number>;
  } & Record<string, Record<string, number>>;
  next_cursor: string | null;
  categoryNames: Record<string, string>;
}

const link = (params: Record<string, string>, change: Record<string, string | null>) => {
  const next = { ...params, ...change };
  const qs = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== null && v !== "") as [string, string][]);
  qs.delete("cursor");
  return `/store/search?${qs}`;
};

/** Turns one value of a multi-valued filter (`size=M,L`) on or off. */
function toggled(current: string | undefined, value: string): string | null {
  const values = new Set((current ?? "").split(",").filter(Boolean));
  if (values.has(value)) values.delete(value);
  else values.add(value);
  return values.size ? [...values].join(",") : null;
}

const OWN_FACETS = new Set(["brand", "category_id", "price_range", "listing"]);

const LISTING_LABELS: Record<string, string> = { fixed: "Buy now", auction: "Auction" };

export const label = (name: string) => name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

export function SearchPage(v: SearchView) {
  const ranges = Object.entries(v.facets.price_range);
  // Attribute facets (size, colour, carrier…) with values in these results, and any already chosen.
  const attributeFacets = Object.entries(v.facets).filter(
    ([name, values]) => !OWN_FACETS.has(name) && (Object.keys(values).length > 0 || v.params[name]),
  );
  return (
    <Layout title={v.q ? `“${v.q}”` : "Browse"} page="search" q={v.q}>
      <h1>{v.q ? `Results for “${v.q}”` : "Browse"}</h1>
      <p>{v.total} products</p>
      <div class="cols">
        <aside aria-label="Filters">
          <form method="get" action="/store/search" class="sort">
            <input type="hidden" name="q" value={v.q} />
            {Object.entries(v.params)
              .filter(([k]) => k !== "q" && k !== "sort" && k !== "cursor")
              .map(([k, val]) => (
                <input type="hidden" name={k} value={val} />
              ))}
            <label for="sort">Sort by</label>
            <select id="sort" name="sort">
              {["relevance", "price_asc", "price_desc", "rating", "newest", "ending_soonest"].map((s) => (
                <option value={s} selected={(v.params.sort ?? "relevance") === s}>
                  {s.replace("_", " ")}
                </option>
              ))}
            </select>
            <button type="submit">Apply</button>
          </form>
          {Object.keys(v.facets.listing ?? {}).length > 1 || v.params.listing ? (
            <>
              <h2>Format</h2>
              <ul class="facets" data-facet="listing">
                {Object.entries(v.facets.listing ?? {}).map(([l, n]) => (
                  <li>
                    <a
                      href={link(v.params, { listing: v.params.listing === l ? null : l })}
                      aria-current={v.params.listing === l ? "true" : undefined}
                    >
                      {LISTING_LABELS[l] ?? l} ({n})
                    </a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h2>Brand</h2>
          <ul class="facets">
            {Object.entries(v.facets.brand)
              .slice(0, 12)
              .map(([b, n]) => (
                <li>
                  <a
                    href={link(v.params, { brand: v.params.brand === b ? null : b })}
                    aria-current={v.params.brand === b ? "true" : undefined}
                  >
                    {b} ({n})
                  </a>
                </li>
              ))}
          </ul>
          <h2>Category</h2>
          <ul class="facets">
            {Object.entries(v.facets.category_id)
              .slice(0, 12)
              .map(([c, n]) => (
                <li>
                  <a href={link(v.params, { category_id: c })}>
                    {v.categoryNames[c] ?? c} ({n})
                  </a>
                </li>
              ))}
          </ul>
          {attributeFacets.map(([name, values]) => {
            const chosen = new Set((v.params[name] ?? "").split(",").filter(Boolean));
            return (
              <>
                <h2>{label(name)}</h2>
                <ul class="facets" data-facet={name}>
                  {Object.entries(values)
                    .slice(0, 20)
                    .map(([value, n]) => (
                      <li>
                        <a
                          href={link(v.params, { [name]: toggled(v.params[name], value) })}
                          aria-current={chosen.has(value) ? "true" : undefined}
                        >
                          {value} ({n})
                        </a>
                      </li>
                    ))}
                </ul>
              </>
            );
          })}
          <h2>Rating</h2>
          <ul class="facets" data-facet="rating">
            {["4", "3", "2"].map((r) => (
              <li>
                <a
                  href={link(v.params, { min_rating: v.params.min_rating === r ? null : r })}
                  aria-current={v.params.min_rating === r ? "true" : undefined}
                >
                  {r} stars and up
                </a>
              </li>
            ))}
          </ul>
          <h2>Availability</h2>
          <ul class="facets" data-facet="in_stock">
            <li>
              <a
                href={link(v.params, { in_stock: v.params.in_stock === "true" ? null : "true" })}
                aria-current={v.params.in_stock === "true" ? "true" : undefined}
              >
                In stock only
              </a>
            </li>
          </ul>
          <h2>Price</h2>
          <ul class="facets">
            {ranges.map(([r, n]) => {
              const [from, to] = r.split("-");
              return (
                <li>
                  <a href={link(v.params, { min_price: from, max_price: to })}>
                    {money(Number(from))}–{money(Number(to))} ({n})
                  </a>
                </li>
              );
            })}
          </ul>
          <p>
            <a href={link({ q: v.q }, {})}>Clear filters</a>
          </p>
        </aside>
        <section aria-label="Results">
          <ul class="grid">
            {v.data.map((p) => (
              <Card p={p} />
            ))}
          </ul>
          {v.next_cursor ? (
            <p>
              <a href={`${link(v.params, {})}&cursor=${encodeURIComponent(v.next_cursor)}`}>Next page</a>
            </p>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}
