import { placeOf } from "../lib/hash";
import { config } from "../lib/config";

/**
 * The data-access seam past one database. D1 caps a database at 10 GB;
 * orders (with their items, payments, refunds and outbox rows) and users
 * (with their refresh tokens) are partitioned across ORDER_SHARDS databases
 * by a hash of their id: shard 0 is `DB`, shard i is `ORDERS_DB_<i>`.
 * Everything about one order or one user is in one database, so its writes
 * stay one atomic batch. Lookups by another key go through an index kept in
 * the database that key hashes to: `order_index` (a buyer's or seller's
 * orders) and `user_keys` (email and username), never a scan of every shard.
 * Catalog, carts and the rest stay in `DB`. docs/scaling.md has the sizing.
 *
 * The count is fixed for a deployment's data: changing it needs a re-shard
 * (copying each order to its new database), which is not built.
 */

/** The databases orders are spread over, shard 0 first (bindings ORDERS_DB_1… are looked up by name). */
export function orderDatabases(env: Pick<Env, "DB"> & { ORDER_SHARDS?: string }): D1Database[] {
  const wanted = config(env).orderShards;
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

/** Whether this order lives in `DB`, beside the catalog: then a write of both can be one transaction. */
export function orderBesideCatalog(env: Pick<Env, "DB">, orderId: string): boolean {
  return onOrderShard(env, orderId).DB === env.DB;
}

/** `env` on the database a key hashes to: an owner's order index rows, an email's or username's claim. */
export function onKeyShard<E extends Pick<Env, "DB">>(env: E, key: string): E {
  const dbs = orderDatabases(env);
  return withDb(env, dbs[placeOf(key, dbs.length)]);
}

/** `env` on the database holding this owner's order index rows. */
export const onOwnerShard = onKeyShard;

/** `env` on the database holding this user (and their refresh tokens). */
export const onUserShard = onKeyShard;

/** `env` once per order database: for jobs that sweep every shard (crons, health, the outbox relay). */
export function eachOrderShard<E extends Pick<Env, "DB">>(env: E): E[] {
  return orderDatabases(env).map((db) => withDb(env, db));
}
