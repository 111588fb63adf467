import type { Product } from "../schemas/catalog";
import { Layout, money } from "./layout";

function Card({ p }: { p: Product }) {
  return (
    <li class="card">
      <a href={`/store/product/${p.product_id}`}>
        {p.images[0] ? <img src={p.images[0]} alt="" loading="lazy" width="160" height="160" /> : <div class="noimg" aria-hidden="true"></div>}
        <span class="name">{p.name}</span>
      </a>
      <span class="price">
        {money(p.price)}
        {p.list_price && p.list_price > p.price ? <s class="was">{money(p.list_price)}</s> : null}
      </span>
      <span class={p.stock_available > 0 ? "stock" : "stock out"}>{p.stock_available > 0 ? "In stock" : "Out of stock"}</span>
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
  data: (Product & { highlights: { name: string } })[];
  facets: { brand: Record<string, number>; category_id: Record<string, number>; price_range: Record<string, number> };
  next_cursor: string | null;
  categoryNames: Record<string, string>;
}

const link = (params: Record<string, string>, change: Record<string, string | null>) => {
  const next = { ...params, ...change };
  const qs = new URLSearchParams(Object.entries(next).filter(([, v]) => v !== null && v !== "") as [string, string][]);
  qs.delete("cursor");
  return `/store/search?${qs}`;
};

export function SearchPage(v: SearchView) {
  const ranges = Object.entries(v.facets.price_range);
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
              {["relevance", "price_asc", "price_desc", "rating", "newest"].map((s) => (
                <option value={s} selected={(v.params.sort ?? "relevance") === s}>
                  {s.replace("_", " ")}
                </option>
              ))}
            </select>
            <button type="submit">Apply</button>
          </form>
          <h2>Brand</h2>
          <ul class="facets">
            {Object.entries(v.facets.brand).slice(0, 12).map(([b, n]) => (
              <li>
                <a href={link(v.params, { brand: v.params.brand === b ? null : b })} aria-current={v.params.brand === b ? "true" : undefined}>
                  {b} ({n})
                </a>
              </li>
            ))}
          </ul>
          <h2>Category</h2>
          <ul class="facets">
            {Object.entries(v.facets.category_id).slice(0, 12).map(([c, n]) => (
              <li>
                <a href={link(v.params, { category_id: c })}>
                  {v.categoryNames[c] ?? c} ({n})
                </a>
              </li>
            ))}
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

export function ProductPage({
  p,
  reviews,
  related,
}: {
  p: Product;
  reviews: { data: { review_id: string; rating: number; comment: string; created_at: string; seller_reply: string | null }[]; rating_average: number; rating_count: number };
  related: { product: Product; reason: string }[];
}) {
  return (
    <Layout title={p.name} page="product">
      <article class="product" data-product-id={p.product_id}>
        {p.images[0] ? <img src={p.images[0]} alt={p.name} width="320" height="320" /> : null}
        <div>
          <h1>{p.name}</h1>
          <p class="brand-name">{p.brand}</p>
          <p class="price big">{money(p.price)}</p>
          <p>
            {reviews.rating_count ? `${reviews.rating_average.toFixed(1)} / 5 from ${reviews.rating_count} reviews` : "No reviews yet"}
          </p>
          <p class={p.stock_available > 0 ? "stock" : "stock out"}>{p.stock_available > 0 ? `${p.stock_available} in stock` : "Out of stock"}</p>
          <form id="add-form" class="inline">
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
