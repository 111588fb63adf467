import type { Product } from "../schemas/catalog";
import { money } from "./layout";

/**
 * The placeholder for a product without an image (an inline-SVG background, app.css `.noimg`; the
 * script swaps a failed image for the same). With a label it is an image to screen readers.
 */
export function NoImage({ label }: { label?: string }) {
  return label ? (
    <div class="noimg" role="img" aria-label={`${label} (no image)`}></div>
  ) : (
    <div class="noimg" aria-hidden="true"></div>
  );
}

/** A product card in the home and search grids. */
export function Card({ p }: { p: Omit<Product, "variants"> }) {
  return (
    <li class="card">
      <a href={`/store/product/${p.product_id}`}>
        {p.images[0] ? <img src={p.images[0]} alt="" loading="lazy" width="160" height="160" /> : <NoImage />}
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
