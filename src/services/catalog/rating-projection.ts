import { outboxFromSelect } from "../events";

/**
 * A product's rating columns are the catalog's projection of its reviews, kept in the same batch as
 * every review change. The reviews module owns the reviews table, so it hands over the two
 * aggregates as SQL subqueries over its own table, each naming the product id as `?1`. The second
 * statement is the `product.updated` outbox row, carrying the version the update just wrote (ratings
 * reach search through it).
 */
export function ratingProjectionStatements(
  d1: D1Database,
  productId: string,
  aggregate: { average: string; count: string },
  event: { id: string; at: string },
): D1PreparedStatement[] {
  return [
    d1
      .prepare(
        `UPDATE products SET rating_average = COALESCE((${aggregate.average}), 0), rating_count = (${aggregate.count}),
           version = version + 1
         WHERE id = ?1`,
      )
      .bind(productId),
    outboxFromSelect(
      d1,
      `SELECT ?1, 'product.updated', json_object('id', ?1, 'type', 'product.updated', 'occurred_at', ?2,
         'data', json_object('product_id', id, 'seller_id', seller_id, 'category_id', category_id, 'version', version)), ?2
       FROM products WHERE id = ?3`,
      event.id,
      event.at,
      productId,
    ),
  ];
}
