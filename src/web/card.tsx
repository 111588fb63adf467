import type { Product } from "../schemas/catalog";
import { money } from "./layout";

/** A product card in the home and search grids. */

export function Card({ p }: { p: Omit<Product, "variants"> }) {
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
