import type { Product } from "../schemas/catalog";
import { Layout, money } from "./layout";

function Card({ p }: { p: Omit<Product, "variants"> }) {
  return (
    <li class="card">
      <a href={`/store/product/${p.product_id}`}>
        {p.images[0] ? (
          <img src={p.images[0]} alt="" loading="lazy" width="160" height="160" />
        ) : (
          <div class="noimg" aria-hidden="true"></div>
        )}
        <span class="name">{p.name}</span>
      </a>
      <span class="price">
        {money(p.price)}
        {p.list_price && p.list_price > p.price ? <s class="was">{money(p.list_price)}</s> : null}
      </span>
      {p.listing === "auction" ? (
        <span class="stock">Auction · bids from {money(p.price)}</span>
      ) : (
        <span class={p.stock_available > 0 ? "stock" : "stock out"}>
          {p.stock_available > 0 ? "In stock" : "Out of stock"}
        </span>
      )}
    </li>
  );
}

export function HomePage({ sections }: { sections: { key: string; title: string; items: Product[] }[] }) {
  return (
    <Layout title="Home" page="home">
      <h1>Welcome to Edge Marketplace</h1>
      {sections.map((s) => (
        <section aria-labelledby={`h-${s.key}`}>
          <h2 id={`h-${s.key}`}>{s.title}</h2>
          <ul class="grid">
            {s.items.slice(0, 8).map((p) => (
              <Card p={p} />
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}

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
const label = (name: string) => name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

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

export function ProductPage({
  p,
  reviews,
  related,
}: {
  p: Product;
  reviews: {
    data: { review_id: string; rating: number; comment: string; created_at: string; seller_reply: string | null }[];
    rating_average: number;
    rating_count: number;
  };
  related: { product: Product; reason: string }[];
}) {
  return (
    <Layout title={p.name} page="product">
      <article class="product" data-product-id={p.product_id}>
        {p.images[0] ? <img src={p.images[0]} alt={p.name} width="320" height="320" /> : null}
        <div>
          <h1>{p.name}</h1>
          <p class="brand-name">{p.brand}</p>
          {p.listing === "auction" ? <p>Starting bid {money(p.price)}</p> : <p class="price big">{money(p.price)}</p>}
          <p>
            {reviews.rating_count
              ? `${reviews.rating_average.toFixed(1)} / 5 from ${reviews.rating_count} reviews`
              : "No reviews yet"}
          </p>
          {p.listing === "auction" ? null : (
            <p class={p.stock_available > 0 ? "stock" : "stock out"}>
              {p.stock_available > 0 ? `${p.stock_available} in stock` : "Out of stock"}
            </p>
          )}
          {Object.entries(p.attributes).filter(
            ([, val]) => typeof val === "string" || typeof val === "number" || typeof val === "boolean",
          ).length ? (
            <dl class="attributes">
              {Object.entries(p.attributes)
                .filter(([, val]) => typeof val === "string" || typeof val === "number" || typeof val === "boolean")
                .map(([name, val]) => (
                  <>
                    <dt>{label(name)}</dt>
                    <dd>{String(val)}</dd>
                  </>
                ))}
            </dl>
          ) : null}
          {p.listing === "auction" ? (
            <section id="auction" class="auction" aria-labelledby="h-auction" aria-live="polite">
              <h2 id="h-auction">Auction</h2>
              <p>
                Current bid{" "}
                <span class="price big" id="auction-price">
                  {money(p.price)}
                </span>
              </p>
              <p>
                <span id="auction-bids">No bids yet</span> · <span id="auction-countdown">…</span>
              </p>
              <p id="auction-status" class="small-print"></p>
              <form id="bid-form" class="inline">
                <label for="max-bid">Your maximum ($)</label>
                <input id="max-bid" name="max_amount" type="number" min="0.01" step="0.01" required />
                <button type="submit" id="place-bid">
                  Place bid
                </button>
              </form>
              <p class="small-print">We bid for you up to your maximum, one increment at a time; nobody sees it.</p>
              <button type="button" id="buy-now" hidden>
                Buy it now
              </button>
            </section>
          ) : null}
          <form id="add-form" class="inline" hidden={p.listing === "auction"}>
            {p.variants.length > 1 ? (
              <>
                <label for="variant">
                  {[...new Set(p.variants.flatMap((x) => Object.keys(x.options)))].map(label).join(" / ") || "Option"}
                </label>
                <select id="variant" name="variant_id" required>
                  {p.variants.map((x) => (
                    <option
                      value={x.variant_id}
                      disabled={x.stock_available <= 0}
                      selected={x.variant_id === p.variants.find((y) => y.stock_available > 0)?.variant_id}
                    >
                      {Object.values(x.options).join(" / ") || "Standard"} · {money(x.price)} ·{" "}
                      {x.stock_available > 0 ? `${x.stock_available} left` : "sold out"}
                    </option>
                  ))}
                </select>
              </>
            ) : (
              <input type="hidden" id="variant" name="variant_id" value={p.variants[0]?.variant_id ?? ""} />
            )}
            <label for="qty">Quantity</label>
            <input id="qty" name="quantity" type="number" min="1" max="99" value="1" />
            <button type="submit" id="add-to-cart" disabled={p.stock_available <= 0}>
              Add to cart
            </button>
            <button type="button" id="wish">
              Add to wishlist
            </button>
          </form>
          <p>{p.description}</p>
        </div>
      </article>
      <section aria-labelledby="h-reviews">
        <h2 id="h-reviews">Reviews</h2>
        <ul class="reviews">
          {reviews.data.map((r) => (
            <li>
              <strong>{r.rating} / 5</strong> {r.comment}
              {r.seller_reply ? <p class="reply">Seller: {r.seller_reply}</p> : null}
            </li>
          ))}
        </ul>
        <form id="review-form">
          <h3>Write a review</h3>
          <label for="rating">Rating</label>
          <select id="rating" name="rating">
            {[5, 4, 3, 2, 1].map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
          <label for="comment">Comment</label>
          <textarea id="comment" name="comment" required></textarea>
          <button type="submit">Post review</button>
        </form>
      </section>
      {related.length ? (
        <section aria-labelledby="h-related">
          <h2 id="h-related">Related</h2>
          <ul class="grid">
            {related.map((r) => (
              <Card p={r.product} />
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}

/** Pages rendered in the browser from the JSON API (they need the user's token). */
export function AppPage({ title, page }: { title: string; page: string }) {
  return (
    <Layout title={title} page={page}>
      <h1>{title}</h1>
      <div id="app" aria-live="polite">
        Loading…
      </div>
    </Layout>
  );
}
