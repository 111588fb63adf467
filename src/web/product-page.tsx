import type { Product } from "../schemas/catalog";
import { Layout, money } from "./layout";
import { Card, NoImage } from "./card";
import { label } from "./search-page";

/** A product page: gallery, variant picker, price, stock, reviews, and an auction's live panel. */

export function ProductPage({
  p,
  reviews,
  related,
}: {
  p: Product;
  reviews: {
    data: {
      review_id: string;
      rating: number;
      comment: string;
      created_at: string;
      seller_reply: string | null;
      verified_purchase: boolean;
      helpful_count: number;
    }[];
    rating_average: number;
    rating_count: number;
    histogram: Record<string, number>;
  };
  related: { product: Product; reason: string }[];
}) {
  return (
    <Layout title={p.name} page="product">
      <article class="product" data-product-id={p.product_id}>
        {p.images[0] ? <img src={p.images[0]} alt={p.name} width="320" height="320" /> : <NoImage label={p.name} />}
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
          {p.listing !== "auction" && p.variants.some((x) => x.stock_available <= 0) ? (
            <form id="restock-alert" class="inline">
              <label for="alert-variant">Sold out? Hear when it is back</label>
              <select id="alert-variant" name="variant_id">
                {p.variants
                  .filter((x) => x.stock_available <= 0)
                  .map((x) => (
                    <option value={x.variant_id}>{Object.values(x.options).join(" / ") || "Standard"}</option>
                  ))}
              </select>
              <button type="submit">Notify me</button>
            </form>
          ) : null}
          <p>{p.description}</p>
        </div>
      </article>
      <section aria-labelledby="h-reviews">
        <h2 id="h-reviews">Reviews</h2>
        <RatingBars histogram={reviews.histogram} />
        <ul class="reviews">
          {reviews.data.map((r) => (
            <li data-review-id={r.review_id}>
              <strong>{r.rating} / 5</strong>{" "}
              {r.verified_purchase ? <span class="badge s-paid">Verified purchase</span> : null} {r.comment}
              {r.seller_reply ? <p class="reply">Seller: {r.seller_reply}</p> : null}
              <p class="review-actions">
                <button type="button" class="link" data-helpful={r.review_id}>
                  Helpful ({r.helpful_count})
                </button>
                <button type="button" class="link" data-report={r.review_id}>
                  Report
                </button>
              </p>
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

/** How the ratings spread, five stars first: bars drawn by CSS width classes (no inline style under the CSP). */
function RatingBars({ histogram }: { histogram: Record<string, number> }) {
  const total = Object.values(histogram).reduce((a, b) => a + b, 0);
  if (!total) return null;
  return (
    <table class="rating-bars">
      <caption class="sr">How the ratings spread</caption>
      <tbody>
        {[5, 4, 3, 2, 1].map((n) => {
          const count = histogram[String(n)] ?? 0;
          const tenth = Math.round((count / total) * 10);
          return (
            <tr>
              <th scope="row">{n === 1 ? "1 star" : `${n} stars`}</th>
              <td>
                <span class={`bar w${tenth}`} aria-hidden="true"></span>
              </td>
              <td>{count}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
