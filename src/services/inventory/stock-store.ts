import { addColumns, ensureObjectSchema } from "../../lib/object-schema";
import { defaultVariantId } from "../../lib/variant-ids";

/** Raised with each change to the stock tables (`StockStore.migrate`), so an object brings itself up to date once. */
const STOCK_SCHEMA_VERSION = 1;

/** A new object's stock tables at the current version: what `StockStore.migrate` leaves an older object with. */
const STOCK_TABLES = `
  CREATE TABLE stock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    product_id TEXT NOT NULL,
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    seq INTEGER NOT NULL,
    projected_seq INTEGER NOT NULL DEFAULT 0,
    pending_event INTEGER NOT NULL DEFAULT 0,
    announced_in_stock INTEGER,
    bucket_count INTEGER NOT NULL DEFAULT 1,
    transfers INTEGER NOT NULL DEFAULT 0,
    variant_id TEXT,
    owner_id TEXT
  );
  CREATE TABLE adjustments (id TEXT PRIMARY KEY, delta INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE buckets (
    idx INTEGER PRIMARY KEY,
    granted INTEGER NOT NULL DEFAULT 0,
    returned INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0,
    sold INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE grants (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, units INTEGER NOT NULL, created_at INTEGER NOT NULL);
  CREATE TABLE reclaims (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0);
`;

/** A variant's stock as callers and D1 see it. */
export interface StockLevel {
  product_id: string;
  available: number;
  reserved: number;
  seq: number;
}

/**
 * One inventory object's stock row and its hot-SKU bucket accounts, in the object's SQLite
 * storage (the InventoryItem Durable Object is a shell over this, its reservation ledger and its
 * D1 projection). All of it is synchronous SQL: the object's single thread serialises callers.
 *
 *   the pool:  what the object itself holds (available, reserved), which it reserves from
 *   buckets:   units granted to InventoryBucket objects (hot SKUs, docs/hot-skus.md), counted from their reports
 *   the level: pool plus buckets, what callers and D1 see
 */
export class StockStore {
  /** The stock key this object holds (null until it is loaded from D1). */
  productId: string | null = null;
  /** Whether any bucket row exists (hot SKUs only): most objects never have one, and skip summing them. */
  private hasBuckets = false;
  /** Whose stock this is: written once, at `open`, so read once. */
  private ownerKept: { variantId: string; productId: string } | null = null;

  /** The stock tables, created or brought up to date (once per version: ensureObjectSchema). */
  private static migrate(sql: SqlStorage): void {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS stock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        product_id TEXT NOT NULL,
        available INTEGER NOT NULL CHECK (available >= 0),
        reserved INTEGER NOT NULL CHECK (reserved >= 0),
        seq INTEGER NOT NULL,
        projected_seq INTEGER NOT NULL DEFAULT 0,
        pending_event INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS adjustments (
        id TEXT PRIMARY KEY,
        delta INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
    `);
    // Added after the first release: whether the last inventory.changed said "in stock" (for 0 -> n alerts),
    // and the bucket count with a counter for reclaim transfer ids (hot SKUs).
    // Then, with variants: the variant and product this object's stock belongs to (null in objects
    // made before: their key is the product id, and they hold its default variant).
    addColumns(sql, "stock", [
      "announced_in_stock INTEGER",
      "bucket_count INTEGER NOT NULL DEFAULT 1",
      "transfers INTEGER NOT NULL DEFAULT 0",
      "variant_id TEXT",
      "owner_id TEXT",
    ]);
    // Hot SKUs (docs/hot-skus.md): what each bucket object was granted and gave back, and its last reported
    // reserved/sold; a bucket's available is granted - returned - reserved - sold, so a grant never dips the total.
    sql.exec(`
      CREATE TABLE IF NOT EXISTS buckets (
        idx INTEGER PRIMARY KEY,
        granted INTEGER NOT NULL DEFAULT 0,
        returned INTEGER NOT NULL DEFAULT 0,
        reserved INTEGER NOT NULL DEFAULT 0,
        sold INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE IF NOT EXISTS grants (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, units INTEGER NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS reclaims (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0);
    `);
  }

  constructor(private readonly sql: SqlStorage) {
    const schema = ensureObjectSchema(sql, "stock", STOCK_SCHEMA_VERSION, {
      create: STOCK_TABLES,
      migrate: () => StockStore.migrate(sql),
    });
    if (schema === "new") return; // nothing stored yet: no product, no buckets
    const row = sql.exec<{ product_id: string }>("SELECT product_id FROM stock WHERE id = 1").toArray()[0];
    this.productId = row?.product_id ?? null;
    this.hasBuckets = sql.exec("SELECT 1 FROM buckets LIMIT 1").toArray().length > 0;
  }

  /** The opening stock, from the variant's D1 row, the first time the object is used. */
  open(key: string, available: number, variantId: string, ownerId: string): void {
    this.sql.exec(
      "INSERT INTO stock (id, product_id, available, reserved, seq, projected_seq, announced_in_stock, variant_id, owner_id) VALUES (1, ?, ?, 0, 1, 1, ?, ?, ?)",
      key,
      Math.max(0, available),
      available > 0 ? 1 : 0,
      variantId,
      ownerId,
    );
    this.productId = key;
    this.ownerKept = { variantId, productId: ownerId };
  }

  /** What this object itself holds: the pool it reserves from (and grants buckets from). */
  pool(): StockLevel {
    const row = this.sql
      .exec<{ product_id: string; available: number; reserved: number; seq: number }>(
        "SELECT product_id, available, reserved, seq FROM stock WHERE id = 1",
      )
      .one();
    return { product_id: row.product_id, available: row.available, reserved: row.reserved, seq: row.seq };
  }

  /** The product's stock: the pool plus what its buckets hold (from their reports). What callers and D1 see. */
  level(): StockLevel {
    const own = this.pool();
    if (!this.hasBuckets) return own;
    const b = this.sql
      .exec<{ available: number; reserved: number }>(
        "SELECT COALESCE(SUM(granted - returned - reserved - sold), 0) AS available, COALESCE(SUM(reserved), 0) AS reserved FROM buckets",
      )
      .one();
    return { ...own, available: own.available + Math.max(0, b.available), reserved: own.reserved + b.reserved };
  }

  /**
   * Applies a change to the pool (and runs `alsoApply` in the same step) and bumps the sequence.
   * A change that moves the level across zero, or one to `announce`, marks an `inventory.changed`
   * event as due (the projection publishes it).
   */
  change(dAvailable: number, dReserved: number, announce = false, alsoApply?: () => void): StockLevel {
    // Without buckets the pool is the level: the update's answer gives it after, and before by the delta.
    const pooled = !this.hasBuckets && !alsoApply;
    const before = pooled ? null : this.level().available;
    const pool = this.sql
      .exec<{ product_id: string; available: number; reserved: number; seq: number }>(
        "UPDATE stock SET available = available + ?, reserved = reserved + ?, seq = seq + 1 WHERE id = 1 RETURNING product_id, available, reserved, seq",
        dAvailable,
        dReserved,
      )
      .one();
    alsoApply?.();
    const level: StockLevel = pooled
      ? { product_id: pool.product_id, available: pool.available, reserved: pool.reserved, seq: pool.seq }
      : this.level();
    const was = before ?? level.available - dAvailable;
    if ((was === 0) !== (level.available === 0) || announce)
      this.sql.exec("UPDATE stock SET pending_event = 1 WHERE id = 1");
    return level;
  }

  /** A bucket account exists from here on (made on its first grant or report). */
  ensureBucket(idx: number): void {
    this.sql.exec("INSERT OR IGNORE INTO buckets (idx) VALUES (?)", idx);
    this.hasBuckets = true;
  }

  /** Whether some bucket holds units nobody has reserved (the pool may take them back). */
  bucketsHoldSpare(): boolean {
    return (
      this.hasBuckets &&
      this.sql.exec("SELECT 1 FROM buckets WHERE granted - returned - reserved - sold > 0 LIMIT 1").toArray().length > 0
    );
  }

  /** The variant and product this object's stock belongs to. */
  owner(): { variantId: string; productId: string } {
    if (this.ownerKept) return this.ownerKept;
    const r = this.sql
      .exec<{ product_id: string; variant_id: string | null; owner_id: string | null }>(
        "SELECT product_id, variant_id, owner_id FROM stock WHERE id = 1",
      )
      .one();
    this.ownerKept = {
      variantId: r.variant_id ?? defaultVariantId(r.product_id),
      productId: r.owner_id ?? r.product_id,
    };
    return this.ownerKept;
  }
}
