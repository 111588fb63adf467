import { placeOf } from "../lib/hash";

/**
 * The data-access seam for orders past one database. D1 caps a database at
 * 10 GB; orders (with their items, payments, refunds and outbox rows) are
 * partitioned across ORDER_SHARDS databases by a hash of the order id:
 * shard 0 is `DB`, shard i is `ORDERS_DB_<i>`. Everything about one order is in
 * one database, so its writes stay one atomic batch. Lists by owner (a buyer's
 * orders, a seller's) read `order_index`, kept in the database of the owner's
 * id, never a scan of every shard. docs/scaling.md has the sizing.
 *
 * The count is fixed for a deployment's data: changing it needs a re-shard
 * (copying each order to its new database), which is not built.
 */

/** The databases orders are spread over, shard 0 first (bindings ORDERS_DB_1… are looked up by name). */
export function orderDatabases(env: Pick<Env, "DB"> & { ORDER_SHARDS?: string }): D1Database[] {
  const wanted = Math.max(1, Math.floor(Number(env.ORDER_SHARDS ?? 1)) || 1);
  const dbs = [env.DB];
  for (let i = 1; i < wanted; i++) {
    const db = (env as Record<string, unknown>)[`ORDERS_DB_${i}`] as D1Database | undefined;
    if (!db) throw new Error(`ORDER_SHARDS is ${wanted} but there is no ORDERS_DB_${i} binding`);
    dbs.push(db);
  }
  return dbs;
}

/** `env` with `DB` pointing at one database, so a module's queries run there unchanged. */
function withDb<E extends Pick<Env, "DB">>(env: E, db: D1Database): E {
  if (db === env.DB) return env;
  // defineProperty, not assignment: assigning through the prototype would run a setter the runtime's env may
  // have for its bindings, changing `DB` for everyone.
  return Object.defineProperty(Object.create(env), "DB", { value: db, enumerable: true }) as E;
}

/** `env` on the database holding this order (and its items, payments, refunds). */
export function onOrderShard<E extends Pick<Env, "DB">>(env: E, orderId: string): E {
  const dbs = orderDatabases(env);
  return withDb(env, dbs[placeOf(orderId, dbs.length)]);
}

/** `env` on the database holding this owner's order index rows. */
export function onOwnerShard<E extends Pick<Env, "DB">>(env: E, ownerId: string): E {
  const dbs = orderDatabases(env);
  return withDb(env, dbs[placeOf(ownerId, dbs.length)]);
}

/** `env` once per order database: for jobs that sweep every shard (crons, health, the outbox relay). */
export function eachOrderShard<E extends Pick<Env, "DB">>(env: E): E[] {
  return orderDatabases(env).map((db) => withDb(env, db));
}
