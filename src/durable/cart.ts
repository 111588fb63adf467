import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql } from "../lib/platform-limits";
import { errorFields, log } from "../lib/logger";
import { addColumns, ensureObjectSchema } from "../lib/object-schema";

/**
 * One shopping cart: a guest cart (named `guest:<cart_id>`) or a user's cart
 * (named `user:<user_id>`). It holds lines and coupon codes, never stock and
 * never the current price (the cart module prices it on every read).
 *
 * Calls are serialised by the object, so a double-clicked "add" cannot lose a
 * quantity, and `beginCheckout` gives one checkout at a time a lease on the
 * cart, so two tabs cannot turn one cart into two orders.
 *
 * Longer than 300 lines: the cart object's RPC methods (lines, coupons, address, the checkout
 * lease, holds, guest merge) each read and write the same storage and in-memory state in one
 * synchronous step, which is what serialises them; pricing is already apart
 * (services/cart/pricing.ts).
 */

export type CartLine = {
  cart_item_id: string;
  product_id: string;
  /** The variant (a line is one variant of one product). */
  variant_id: string;
  quantity: number;
  price_when_added: number;
  added_at: number;
};

/** Where the cart ships (API.md's address): what shipping options and tax are worked out for. */
export interface CartAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postal_code: string;
  country: string;
  region?: string;
}

export interface CartState {
  cart_id: string;
  user_id: string | null;
  lines: CartLine[];
  coupons: string[];
  shipping_address: CartAddress | null;
  /** The buyer's shipping option per seller (absent: the cheapest). */
  shipping_choices: Record<string, string>;
  /** The presentment currency (null: the store's base currency). */
  currency: string | null;
  last_activity_at: number;
  created: boolean;
}

const MAX_LINE_QUANTITY = 99;
const MAX_LINES = 100;

/** The cart's order of lines: as added, ties by product and variant (the order `lines()` reads them in). */
const lineOrder = (a: CartLine, b: CartLine) =>
  a.added_at - b.added_at ||
  (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0) ||
  (a.variant_id < b.variant_id ? -1 : a.variant_id > b.variant_id ? 1 : 0);
const CHECKOUT_LEASE_MS = 60_000;
/**
 * How long the D1 summary may trail the cart. It is read only by the
 * abandoned-cart job (a day of idleness), so a second late costs nothing, and
 * a burst of adds, or an add then a checkout, writes D1 once instead of each time.
 */
const PROJECTION_DELAY_MS = 1_000;

/** Raised with each change to the tables below (`migrate`), so an object brings itself up to date once. */
const CART_SCHEMA_VERSION = 1;

/** A new cart's tables at the current version: what `migrate` leaves an older object with. */
const CART_TABLES = `
  CREATE TABLE meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cart_id TEXT NOT NULL,
    user_id TEXT,
    coupons TEXT NOT NULL DEFAULT '[]',
    last_activity_at INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 1,
    projected_seq INTEGER NOT NULL DEFAULT 0,
    checkout_id TEXT,
    checkout_until INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'active',
    shipping_address TEXT,
    shipping_choices TEXT NOT NULL DEFAULT '{}',
    currency TEXT
  );
  CREATE TABLE holds (order_id TEXT PRIMARY KEY, product_ids TEXT NOT NULL, until INTEGER NOT NULL);
  CREATE TABLE items (
    product_id TEXT NOT NULL,
    variant_id TEXT NOT NULL,
    cart_item_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    price_when_added INTEGER NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (product_id, variant_id)
  );
`;

/** What an unpaid order holds stock in: a product's variant (variant_id absent: its default one). */
interface HeldStock {
  product_id: string;
  variant_id?: string | null;
}

interface StaleHold {
  orderId: string;
  refs: HeldStock[];
}

type MetaRow = NonNullable<ReturnType<CartObject["readMeta"]>>;

export class CartObject extends DurableObject<Env> {
  private flushDue = false;
  /** Whether an unpaid order's hold may be recorded (read at wake, set by recordHold): most checkouts have none to hand back. */
  private mayHoldStock = true;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const schema = ensureObjectSchema(this.ctx.storage.sql, "cart", CART_SCHEMA_VERSION, {
        create: CART_TABLES,
        migrate: () => this.migrate(),
      });
      if (schema === "new") {
        // Nothing stored yet: no reads needed to know it.
        this.metaRow = null;
        this.cachedLines = [];
        this.mayHoldStock = false;
      } else {
        this.mayHoldStock = this.ctx.storage.sql.exec("SELECT 1 FROM holds LIMIT 1").toArray().length > 0;
      }
    });
  }

  /** The object's tables, created or brought up to date (once per version: ensureObjectSchema). */
  private migrate(): void {
    // The tables as first released (later columns and tables are added below).
    this.ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        cart_id TEXT NOT NULL,
        user_id TEXT,
        coupons TEXT NOT NULL DEFAULT '[]',
        last_activity_at INTEGER NOT NULL,
        seq INTEGER NOT NULL DEFAULT 1,
        projected_seq INTEGER NOT NULL DEFAULT 0,
        checkout_id TEXT,
        checkout_until INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active'
      );
      CREATE TABLE IF NOT EXISTS holds (order_id TEXT PRIMARY KEY, product_ids TEXT NOT NULL, until INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS items (
        product_id TEXT NOT NULL,
        variant_id TEXT NOT NULL,
        cart_item_id TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        price_when_added INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (product_id, variant_id)
      );
    `);
    // Added with shipping: the address and the option chosen per seller.
    addColumns(this.ctx.storage.sql, "meta", [
      "shipping_address TEXT",
      "shipping_choices TEXT NOT NULL DEFAULT '{}'",
      "currency TEXT",
    ]);
    // Carts from before variants kept one line per product: each becomes a line of the product's default variant.
    if (
      this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lines'").toArray().length
    ) {
      this.ctx.storage.sql.exec(
        `INSERT OR IGNORE INTO items (product_id, variant_id, cart_item_id, quantity, price_when_added, added_at)
         SELECT product_id, 'var_' || substr(product_id, instr(product_id, '_') + 1), cart_item_id, quantity, price_when_added, added_at FROM lines`,
      );
      this.ctx.storage.sql.exec("DROP TABLE lines");
    }
  }

  /**
   * The meta row as last read, kept across calls: every write to it goes through `writeMeta`
   * (which drops it) or `touch` (which mirrors its change), and the object is the only writer of
   * its storage, so a cart call reads it once instead of four times.
   */
  private metaRow: MetaRow | null | undefined = undefined;

  private writeMeta(query: string, ...bindings: (string | number | null)[]): void {
    this.metaRow = undefined;
    this.ctx.storage.sql.exec(query, ...bindings);
  }

  /** A write to the meta row whose change to it is `patch`: the kept row takes the same change instead of a read. */
  private patchMeta(patch: Partial<MetaRow>, query: string, ...bindings: (string | number | null)[]): void {
    const kept = this.metaRow;
    this.writeMeta(query, ...bindings);
    if (kept) this.metaRow = { ...kept, ...patch };
  }

  private meta(): MetaRow | null {
    if (this.metaRow !== undefined) return this.metaRow;
    this.metaRow = this.readMeta() ?? null;
    return this.metaRow;
  }

  /**
   * The lines as last read, in the cart's order, kept across calls like the meta row: every write
   * to `items` updates it in place (or drops it), so an add is two statements, not five.
   */
  private cachedLines: CartLine[] | undefined = undefined;

  private lines(): CartLine[] {
    this.cachedLines ??= this.ctx.storage.sql
      .exec<CartLine>(
        "SELECT cart_item_id, product_id, variant_id, quantity, price_when_added, added_at FROM items ORDER BY added_at, product_id, variant_id",
      )
      .toArray();
    return this.cachedLines;
  }

  private readMeta() {
    return this.ctx.storage.sql
      .exec<{
        cart_id: string;
        user_id: string | null;
        coupons: string;
        last_activity_at: number;
        checkout_id: string | null;
        checkout_until: number;
        status: string;
        shipping_address: string | null;
        shipping_choices: string;
        currency: string | null;
      }>(
        "SELECT cart_id, user_id, coupons, last_activity_at, checkout_id, checkout_until, status, shipping_address, shipping_choices, currency FROM meta WHERE id = 1",
      )
      .toArray()[0];
  }

  /** Creates the cart record on first write. */
  /** Creates the cart record on first write, in `currency` when given (the shopper's region's; null: the base). */
  private ensure(cartId: string, userId: string | null, currency: string | null = null): void {
    if (this.meta()) return;
    this.writeMeta(
      "INSERT INTO meta (id, cart_id, user_id, last_activity_at, currency) VALUES (1, ?, ?, ?, ?)",
      cartId,
      userId,
      Date.now(),
      currency,
    );
  }

  private touch(): void {
    const now = Date.now();
    // seq is not one of the kept row's fields.
    this.patchMeta(
      { last_activity_at: now, status: "active" },
      "UPDATE meta SET last_activity_at = ?, seq = seq + 1, status = 'active' WHERE id = 1",
      now,
    );
    this.scheduleFlush();
  }

  private lockedBy(): string | null {
    const m = this.meta();
    return m?.checkout_id && m.checkout_until > Date.now() ? m.checkout_id : null;
  }

  state(cartId: string, userId: string | null): CartState {
    const m = this.meta();
    if (!m)
      return {
        cart_id: cartId,
        user_id: userId,
        lines: [],
        coupons: [],
        shipping_address: null,
        shipping_choices: {},
        currency: null,
        last_activity_at: Date.now(),
        created: false,
      };
    return {
      cart_id: m.cart_id,
      user_id: m.user_id,
      lines: this.lines().map((l) => ({ ...l })),
      coupons: JSON.parse(m.coupons),
      shipping_address: m.shipping_address ? (JSON.parse(m.shipping_address) as CartAddress) : null,
      shipping_choices: JSON.parse(m.shipping_choices ?? "{}") as Record<string, string>,
      currency: m.currency ?? null,
      last_activity_at: m.last_activity_at,
      created: true,
    };
  }

  /** Adds to a line (creating it); the line's quantity is capped at `maxQuantity`. Returns the new quantity. */
  add(
    cartId: string,
    userId: string | null,
    line: {
      product_id: string;
      variant_id: string;
      cart_item_id: string;
      quantity: number;
      price: number;
      maxQuantity: number;
    },
    currency: string | null = null,
  ):
    | { ok: true; state: CartState }
    | { ok: false; code: "checkout_in_progress" | "too_many_lines" | "quantity_exceeds_stock"; available?: number } {
    this.ensure(cartId, userId, currency);
    if (this.lockedBy()) return { ok: false, code: "checkout_in_progress" };
    const lines = this.lines();
    const existing = lines.find((l) => l.product_id === line.product_id && l.variant_id === line.variant_id);
    const cap = Math.min(MAX_LINE_QUANTITY, line.maxQuantity);
    const next = (existing?.quantity ?? 0) + line.quantity;
    if (next > cap) return { ok: false, code: "quantity_exceeds_stock", available: cap };
    if (!existing) {
      if (lines.length >= MAX_LINES) return { ok: false, code: "too_many_lines" };
      const added: CartLine = {
        cart_item_id: line.cart_item_id,
        product_id: line.product_id,
        variant_id: line.variant_id,
        quantity: next,
        price_when_added: line.price,
        added_at: Date.now(),
      };
      this.ctx.storage.sql.exec(
        "INSERT INTO items (product_id, variant_id, cart_item_id, quantity, price_when_added, added_at) VALUES (?, ?, ?, ?, ?, ?)",
        added.product_id,
        added.variant_id,
        added.cart_item_id,
        added.quantity,
        added.price_when_added,
        added.added_at,
      );
      lines.push(added);
      lines.sort(lineOrder);
    } else {
      this.ctx.storage.sql.exec(
        "UPDATE items SET quantity = ? WHERE product_id = ? AND variant_id = ?",
        next,
        line.product_id,
        line.variant_id,
      );
      existing.quantity = next;
    }
    this.touch();
    return { ok: true, state: this.state(cartId, userId) };
  }

  /** Removes `quantity` units of a variant, or the whole line when quantity is omitted or reaches 0. */
  remove(
    cartId: string,
    userId: string | null,
    productId: string,
    variantId: string,
    quantity?: number,
  ): { ok: true; state: CartState; found: boolean } | { ok: false; code: "checkout_in_progress" } {
    if (!this.meta()) return { ok: true, state: this.state(cartId, userId), found: false };
    if (this.lockedBy()) return { ok: false, code: "checkout_in_progress" };
    const lines = this.lines();
    const existing = lines.find((l) => l.product_id === productId && l.variant_id === variantId);
    if (!existing) return { ok: true, state: this.state(cartId, userId), found: false };
    if (quantity === undefined || quantity >= existing.quantity) {
      this.ctx.storage.sql.exec("DELETE FROM items WHERE product_id = ? AND variant_id = ?", productId, variantId);
      lines.splice(lines.indexOf(existing), 1);
    } else {
      this.ctx.storage.sql.exec(
        "UPDATE items SET quantity = quantity - ? WHERE product_id = ? AND variant_id = ?",
        quantity,
        productId,
        variantId,
      );
      existing.quantity -= quantity;
    }
    this.touch();
    return { ok: true, state: this.state(cartId, userId), found: true };
  }

  /** Where the cart ships; the options chosen for another address no longer apply. */
  setAddress(cartId: string, userId: string | null, address: CartAddress): CartState {
    this.ensure(cartId, userId);
    this.writeMeta(
      "UPDATE meta SET shipping_address = ?, shipping_choices = '{}' WHERE id = 1",
      JSON.stringify(address),
    );
    this.touch();
    return this.state(cartId, userId);
  }

  /** The buyer's shipping option for one seller's parcel (checked against the quote by the caller). */
  chooseShipping(cartId: string, userId: string | null, sellerId: string, optionId: string): CartState {
    this.ensure(cartId, userId);
    const m = this.meta()!;
    const choices = { ...(JSON.parse(m.shipping_choices ?? "{}") as Record<string, string>), [sellerId]: optionId };
    this.writeMeta("UPDATE meta SET shipping_choices = ? WHERE id = 1", JSON.stringify(choices));
    this.touch();
    return this.state(cartId, userId);
  }

  /** The currency the cart is shown and charged in (one per cart: lines cannot mix currencies). */
  setCurrency(cartId: string, userId: string | null, currency: string): CartState {
    this.ensure(cartId, userId);
    if (this.lockedBy()) return this.state(cartId, userId);
    this.writeMeta("UPDATE meta SET currency = ? WHERE id = 1", currency);
    this.touch();
    return this.state(cartId, userId);
  }

  setCoupons(cartId: string, userId: string | null, codes: string[]): CartState {
    this.ensure(cartId, userId);
    this.writeMeta("UPDATE meta SET coupons = ? WHERE id = 1", JSON.stringify(codes));
    this.touch();
    return this.state(cartId, userId);
  }

  /** Merges a guest cart's lines in: quantities add, each capped by the given per-variant limit. */
  merge(
    cartId: string,
    userId: string | null,
    lines: CartLine[],
    caps: Record<string, number>,
    coupons: string[],
  ): CartState {
    this.ensure(cartId, userId);
    for (const l of lines) {
      const cap = Math.min(MAX_LINE_QUANTITY, caps[l.variant_id] ?? MAX_LINE_QUANTITY);
      const existing = this.ctx.storage.sql
        .exec<{ quantity: number }>(
          "SELECT quantity FROM items WHERE product_id = ? AND variant_id = ?",
          l.product_id,
          l.variant_id,
        )
        .toArray()[0];
      const next = Math.min(cap, (existing?.quantity ?? 0) + l.quantity);
      if (next <= 0) continue;
      if (existing)
        this.ctx.storage.sql.exec(
          "UPDATE items SET quantity = ? WHERE product_id = ? AND variant_id = ?",
          next,
          l.product_id,
          l.variant_id,
        );
      else
        this.ctx.storage.sql.exec(
          "INSERT INTO items (product_id, variant_id, cart_item_id, quantity, price_when_added, added_at) VALUES (?, ?, ?, ?, ?, ?)",
          l.product_id,
          l.variant_id,
          l.cart_item_id,
          next,
          l.price_when_added,
          l.added_at,
        );
    }
    this.cachedLines = undefined; // merged lines keep their own added_at: read back in order
    const m = this.meta()!;
    if (JSON.parse(m.coupons).length === 0 && coupons.length > 0) {
      this.writeMeta("UPDATE meta SET coupons = ? WHERE id = 1", JSON.stringify(coupons));
    }
    this.touch();
    return this.state(cartId, userId);
  }

  /** Empties the cart (after a merge into another, or a paid checkout), keeping its id. */
  clear(checkoutId?: string): void {
    if (!this.meta()) return;
    const holder = this.lockedBy();
    if (checkoutId && holder && holder !== checkoutId) return;
    this.ctx.storage.sql.exec("DELETE FROM items");
    this.cachedLines = [];
    // An emptied cart is not projected to D1: the reminder job asks this object before it reminds
    // (and corrects the summary then), so a paid checkout costs no summary write.
    const now = Date.now();
    this.patchMeta(
      {
        coupons: "[]",
        shipping_choices: "{}",
        checkout_id: null,
        checkout_until: 0,
        last_activity_at: now,
        status: "active",
      },
      "UPDATE meta SET coupons = '[]', shipping_choices = '{}', checkout_id = NULL, checkout_until = 0, last_activity_at = ?, seq = seq + 1, projected_seq = seq + 1, status = 'active' WHERE id = 1",
      now,
    );
  }

  /** How many units the cart holds now (the reminder job's check of a summary that may trail). */
  itemCount(): number {
    return this.lines().reduce((n, l) => n + l.quantity, 0);
  }

  /**
   * Leases the cart to one checkout; a second concurrent checkout is refused until the lease ends.
   * Stock this shopper still holds for an order awaiting payment (3-D Secure) is handed back to
   * the caller to release: one shopper holds stock for one unpaid checkout at most, so holds
   * cannot be stacked to hide stock from other buyers.
   */
  beginCheckout(
    cartId: string,
    userId: string | null,
    checkoutId: string,
  ): { ok: true; state: CartState; staleHolds: StaleHold[] } | { ok: false; code: "checkout_in_progress" } {
    const holder = this.lockedBy();
    if (holder && holder !== checkoutId) return { ok: false, code: "checkout_in_progress" };
    if (this.meta()) {
      const until = Date.now() + CHECKOUT_LEASE_MS;
      this.patchMeta(
        { checkout_id: checkoutId, checkout_until: until },
        "UPDATE meta SET checkout_id = ?, checkout_until = ? WHERE id = 1",
        checkoutId,
        until,
      );
    }
    const staleHolds = !this.mayHoldStock
      ? []
      : this.ctx.storage.sql
          .exec<{ order_id: string; product_ids: string }>(
            "DELETE FROM holds WHERE order_id != ? RETURNING order_id, product_ids",
            checkoutId,
          )
          .toArray()
          .map((h) => ({
            orderId: h.order_id,
            refs: (JSON.parse(h.product_ids) as (string | HeldStock)[]).map((r) =>
              typeof r === "string" ? { product_id: r } : r,
            ),
          }));
    // Only this checkout's own hold can be left now.
    if (this.mayHoldStock)
      this.mayHoldStock = this.ctx.storage.sql.exec("SELECT 1 FROM holds LIMIT 1").toArray().length > 0;
    return { ok: true, state: this.state(cartId, userId), staleHolds };
  }

  /** Remembers that an unpaid order (awaiting authentication) holds stock until `until` (`product_ids` holds the refs, as JSON). */
  recordHold(orderId: string, refs: HeldStock[], until: number): void {
    this.ctx.storage.sql.exec("DELETE FROM holds WHERE until < ?", Date.now());
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO holds (order_id, product_ids, until) VALUES (?, ?, ?)",
      orderId,
      JSON.stringify(refs),
      until,
    );
    this.mayHoldStock = true;
  }

  /** Ends a checkout's lease without touching the lines (the checkout failed). */
  endCheckout(checkoutId: string): void {
    if (this.lockedBy() === checkoutId)
      this.patchMeta(
        { checkout_id: null, checkout_until: 0 },
        "UPDATE meta SET checkout_id = NULL, checkout_until = 0 WHERE id = 1",
      );
  }

  private scheduleFlush(): void {
    // Only a signed-in shopper's cart is ever reminded of; a guest cart's summary would be read by no one.
    if (this.flushDue || !this.meta()?.user_id) return;
    this.flushDue = true;
    void this.ctx.storage.setAlarm(Date.now() + PROJECTION_DELAY_MS);
  }

  async alarm(): Promise<void> {
    this.flushDue = false;
    if (!(await this.flush())) {
      // D1 refused: try again later (the alarm is this object's own retry).
      await this.ctx.storage.setAlarm(Date.now() + 30_000);
    }
  }

  /** Writes this user cart's summary to D1 (for the abandoned-cart job); newer writes win by seq. False when D1 failed. */
  private async flush(): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const m = this.ctx.storage.sql
        .exec<{
          cart_id: string;
          user_id: string | null;
          seq: number;
          projected_seq: number;
          last_activity_at: number;
        }>("SELECT cart_id, user_id, seq, projected_seq, last_activity_at FROM meta WHERE id = 1")
        .toArray()[0];
      if (!m || m.seq <= m.projected_seq) return true;
      const items = this.itemCount();
      try {
        await this.env.DB.prepare(
          `INSERT INTO carts (id, user_id, item_count, status, seq, last_activity_at) VALUES (?, ?, ?, 'active', ?, ?)
           ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, item_count = excluded.item_count, status = 'active',
             seq = excluded.seq, last_activity_at = excluded.last_activity_at WHERE carts.seq < excluded.seq`,
        )
          .bind(m.cart_id, m.user_id, items, m.seq, m.last_activity_at)
          .run();
        // Not through writeMeta: projected_seq is not in the kept meta row, which stays valid (a
        // checkout right after this flush would otherwise read the row again).
        this.ctx.storage.sql.exec("UPDATE meta SET projected_seq = MAX(projected_seq, ?) WHERE id = 1", m.seq);
      } catch (err) {
        log("warn", "cart projection failed; the alarm retries", { cart_id: m.cart_id, ...errorFields(err) });
        return false;
      }
    }
    return true;
  }
}
