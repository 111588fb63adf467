#!/usr/bin/env node
// Seeds (or imports into) the local or remote D1 database: the category tree
// from the catalog's category paths, one seller per top-level department, the
// products with deterministic stock, and the local admin. Every row has a
// deterministic id and is written with INSERT OR IGNORE, so running it again
// changes nothing. Inventory Durable Objects initialise themselves from the
// product row on first use, so they need no separate seeding step.
//
//   node scripts/seed.mjs                      seed local D1 (what npm start does)
//   node scripts/seed.mjs --file catalog.json  import any catalog file
//   node scripts/seed.mjs --synthetic 100000   grow the catalog to N products (benchmarks)
//   node scripts/seed.mjs --remote             write to the deployed D1 instead
import { createHash, randomBytes, scrypt } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { attributeSchemas, loadFile, loadSeedCatalog, loadSeedQueries, stableHash, synthesize } from "./catalog.mjs";
import { ROOT, WRANGLER, ensureDevVars, run } from "./lib.mjs";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const SEED_EPOCH = Date.parse("2026-01-01T00:00:00Z");

/** A deterministic id in the layout of src/lib/ids.ts: prefix, 10 time chars, 16 chars from a hash. */
export function seedId(prefix, key, ms) {
  let t = "";
  for (let i = 0, v = ms; i < 10; i++, v = Math.floor(v / 32)) t = ALPHABET[v % 32] + t;
  const h = createHash("sha256").update(`${prefix}:${key}`).digest();
  let r = "";
  for (let i = 0; i < 16; i++) r += ALPHABET[h[i] % 32];
  return `${prefix}_${t}${r}`;
}

const q = (v) =>
  v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
const iso = (ms) => new Date(ms).toISOString();
/** As src/lib/variant-ids.ts: options as JSON with names sorted. */
const optionsKey = (o) =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

function hashPassword(password) {
  const N = 2 ** 14,
    r = 8,
    p = 5;
  const salt = randomBytes(16);
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, 32, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(`scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`),
    ),
  );
}

/** Email and username claims of seeded users (rows: id, email, username, username_key, …); one database assumed (ORDER_SHARDS=1). */
function userKeysSql(rows) {
  return insert(
    "user_keys",
    ["key", "user_id"],
    rows.flatMap((r) => [
      [`email:${r[1]}`, r[0]],
      [`username:${r[3]}`, r[0]],
    ]),
  );
}

function insert(table, columns, rows) {
  const out = [];
  for (let i = 0; i < rows.length; i += 100) {
    const values = rows
      .slice(i, i + 100)
      .map((r) => `(${r.map(q).join(",")})`)
      .join(",\n");
    out.push(`INSERT OR IGNORE INTO ${table} (${columns.map((c) => `"${c}"`).join(",")}) VALUES\n${values};`);
  }
  return out;
}

export async function buildSeedSql({
  products,
  queries = [],
  adminEmail,
  adminPassword,
  sellerPassword,
  withHistory = false,
}) {
  const sql = [];
  // Categories: one node per distinct path prefix.
  const cats = new Map();
  for (const p of products) {
    for (let d = 1; d <= p.categories.length; d++) {
      const key = p.categories.slice(0, d).join(" > ");
      if (cats.has(key)) continue;
      const parent = d > 1 ? cats.get(p.categories.slice(0, d - 1).join(" > ")) : null;
      const id = seedId("cat", key, SEED_EPOCH);
      cats.set(key, {
        id,
        name: p.categories[d - 1],
        parent_id: parent?.id ?? null,
        path: `${parent?.path ?? "/"}${id}/`,
        depth: d - 1,
      });
    }
  }
  sql.push(
    ...insert(
      "categories",
      ["id", "name", "parent_id", "parent_key", "path", "depth", "created_at", "updated_at"],
      [...cats.values()].map((c) => [
        c.id,
        c.name,
        c.parent_id,
        c.parent_id ?? "",
        c.path,
        c.depth,
        iso(SEED_EPOCH),
        iso(SEED_EPOCH),
      ]),
    ),
  );

  // Sellers: each department is split into a few stores by brand, so one brand always sells from one store.
  const STORES_PER_DEPARTMENT = 4;
  const storeOf = (p) => `${p.categories[0]}#${stableHash(p.brand ?? "") % STORES_PER_DEPARTMENT}`;
  const stores = [...new Set(products.map(storeOf))].sort();
  const sellers = new Map();
  const sellerRows = [];
  for (const store of stores) {
    const [dept, n] = store.split("#");
    const handle = `${slug(dept).slice(0, 20)}-store-${Number(n) + 1}`;
    const id = seedId("usr", `seller:${store}`, SEED_EPOCH);
    sellers.set(store, id);
    // Without a password (a remote seed) a seller account cannot be signed in to: "locked" is no scrypt hash.
    const hash = sellerPassword
      ? await hashPassword(sellerPassword)
      : `locked$${randomBytes(16).toString("base64url")}`;
    sellerRows.push([
      id,
      `${handle}@sellers.marketplace.local`,
      handle,
      handle,
      null,
      "seller",
      hash,
      iso(SEED_EPOCH),
      iso(SEED_EPOCH),
    ]);
  }
  if (adminEmail && adminPassword) {
    const email = adminEmail.toLowerCase();
    sellerRows.push([
      seedId("usr", `admin:${email}`, SEED_EPOCH),
      email,
      "admin",
      "admin",
      null,
      "admin",
      await hashPassword(adminPassword),
      iso(SEED_EPOCH),
      iso(SEED_EPOCH),
    ]);
  }
  sql.push(
    ...insert(
      "users",
      ["id", "email", "username", "username_key", "phone_number", "role", "password_hash", "created_at", "updated_at"],
      sellerRows,
    ),
    ...userKeysSql(sellerRows),
  );

  // Attribute schemas (src/services/catalog/attributes.ts) on the departments and phone categories.
  sql.push(
    ...insert(
      "category_attributes",
      ["id", "category_id", "name", "type", "values", "unit", "required", "variant_option", "facet", "created_at"],
      attributeSchemas(products).map((a) => {
        const cat = cats.get(a.path.join(" > "));
        return [
          seedId("att", `${a.path.join(" > ")}|${a.name}`, SEED_EPOCH),
          cat.id,
          a.name,
          a.type,
          JSON.stringify(a.values),
          a.unit ?? null,
          0,
          a.variant_option ? 1 : 0,
          a.facet ? 1 : 0,
          iso(SEED_EPOCH),
        ];
      }),
    ),
  );

  // Products: created_at spread over the year before the seed epoch so "newest" has an order.
  // Each gets its variants (sizes), or its one default variant (`var_` + the product id's body).
  const seeded = [];
  const variantRows = [];
  const productRows = products.map((p) => {
    const created = SEED_EPOCH - (stableHash(`${p.source_ref}:t`) % (365 * 86_400)) * 1000;
    const cat = cats.get(p.categories.join(" > "));
    const id = seedId("prd", p.source_ref, created);
    const variants = p.variants?.length
      ? p.variants.map((v, i) => [
          seedId("var", v.key, created),
          id,
          v.sku,
          JSON.stringify(v.options),
          optionsKey(v.options),
          null,
          v.stock,
          0,
          1,
          i,
          iso(created),
          iso(created),
        ])
      : [[`var_${id.slice(4)}`, id, null, "{}", "{}", null, p.stock, 0, 1, 0, iso(created), iso(created)]];
    variantRows.push(...variants);
    const stock = variants.reduce((n, v) => n + v[6], 0);
    seeded.push({
      id,
      seller_id: sellers.get(storeOf(p)),
      category_id: cat.id,
      brand: p.brand,
      price: p.price,
      popularity: p.popularity,
      name: p.name,
      stock,
      created,
      variant_id: variants[0][0],
      variant_options: variants[0][3],
    });
    return [
      id,
      sellers.get(storeOf(p)),
      cat.id,
      cat.path,
      p.name,
      p.description,
      p.price,
      null,
      "usd",
      stock,
      0,
      p.brand,
      JSON.stringify(p.images),
      JSON.stringify(p.attributes),
      "active",
      p.popularity,
      p.source_ref,
      iso(created),
      iso(created),
    ];
  });
  sql.push(
    ...insert(
      "products",
      [
        "id",
        "seller_id",
        "category_id",
        "category_path",
        "name",
        "description",
        "price",
        "list_price",
        "currency",
        "stock_available",
        "stock_version",
        "brand",
        "images",
        "attributes",
        "status",
        "popularity",
        "source_ref",
        "created_at",
        "updated_at",
      ],
      productRows,
    ),
  );
  sql.push(
    ...insert(
      "product_variants",
      [
        "id",
        "product_id",
        "sku",
        "options",
        "options_key",
        "price",
        "stock_available",
        "stock_version",
        "stock_buckets",
        "position",
        "created_at",
        "updated_at",
      ],
      variantRows,
    ),
  );
  sql.push(
    ...insert(
      "search_queries",
      ["query", "popularity"],
      queries.map((q) => [q.query, q.popularity]),
    ),
  );
  const history = withHistory ? await historySql(seeded, sellerPassword) : { sql: [], warehouse: [], orders: 0 };
  sql.push(...history.sql);
  return {
    sql: sql.join("\n"),
    warehouseSql: history.warehouse.join("\n"),
    counts: { categories: cats.size, sellers: stores.length, products: products.length, orders: history.orders },
    sellerEmail: sellerRows[0]?.[1],
  };
}

/**
 * The seeded order history (scripts/history.mjs) written as the checkout and the
 * warehouse consumers would have written it: orders, items and payments in D1, and
 * facts, co-purchases and affinities in the warehouse. Buyers share one password
 * hash (the local admin password): they are demo accounts on a laptop.
 */
async function historySql(seeded, password) {
  const { generateHistory } = await import("./history.mjs");
  const orders = generateHistory(seeded);
  const hash = await hashPassword(password);
  const buyers = Array.from({ length: 500 }, (_, i) => {
    const handle = `buyer${String(i).padStart(3, "0")}`;
    return [
      seedId("usr", `buyer:${i}`, SEED_EPOCH),
      `${handle}@buyers.marketplace.local`,
      handle,
      handle,
      null,
      "buyer",
      hash,
      iso(SEED_EPOCH),
      iso(SEED_EPOCH),
    ];
  });
  const orderRows = [];
  const itemRows = [];
  const paymentRows = [];
  const facts = [];
  const statusRows = [];
  const pairs = new Map();
  const purchases = new Map();
  const affinity = new Map();
  const now = Date.parse("2026-11-20T12:00:00Z");
  for (const o of orders) {
    const age = (now - o.at) / 86_400_000;
    const status = age > 10 ? (o.n % 50 === 0 ? "refunded" : "delivered") : age > 3 ? "shipped" : "paid";
    const id = seedId("ord", `h:${o.n}`, o.at);
    const buyer = buyers[o.buyer][0];
    const total = o.items.reduce((s, i) => s + i.product.price * i.quantity, 0);
    const at = iso(o.at);
    const shipped = status !== "paid" ? iso(o.at + 86_400_000) : null;
    const delivered = status === "delivered" || status === "refunded" ? iso(o.at + 3 * 86_400_000) : null;
    orderRows.push([
      id,
      buyer,
      status,
      total,
      0,
      0,
      total,
      0,
      "usd",
      "[]",
      JSON.stringify("1 Seed Street, Springfield"),
      shipped ? `1ZSEED${o.n}` : null,
      status === "refunded" ? total : 0,
      at,
      shipped,
      delivered,
      at,
      delivered ?? shipped ?? at,
    ]);
    paymentRows.push([
      seedId("pay", `h:${o.n}`, o.at),
      id,
      buyer,
      "test",
      `pi_seed_${o.n}`,
      total,
      "usd",
      "succeeded",
      "pm_card_visa",
      at,
      at,
    ]);
    statusRows.push([id, status, { paid: 1, shipped: 2, delivered: 3, refunded: 5 }[status]]);
    for (const it of o.items) {
      const p = it.product;
      const itemStatus = status === "refunded" ? "refunded" : status;
      itemRows.push([
        seedId("oit", `h:${o.n}:${p.id}`, o.at),
        id,
        p.id,
        p.variant_id,
        p.variant_options,
        p.seller_id,
        p.name,
        it.quantity,
        p.price,
        0,
        itemStatus,
        shipped ? `1ZSEED${o.n}` : null,
        at,
      ]);
      facts.push([
        `${id}:${p.id}`,
        id,
        p.seller_id,
        p.id,
        buyer,
        it.quantity,
        p.price * it.quantity,
        status,
        at.slice(0, 10),
        at,
      ]);
      purchases.set(`${buyer}|${p.id}`, [buyer, p.id, at]);
      for (const [kind, key] of [
        ["category", p.category_id],
        ["brand", (p.brand ?? "").toLowerCase()],
      ]) {
        if (!key) continue;
        const k = `${buyer}|${kind}|${key}`;
        affinity.set(k, [buyer, kind, key, (affinity.get(k)?.[3] ?? 0) + 3]);
      }
      for (const other of o.items) {
        if (other.product.id === p.id) continue;
        const k = `${p.id}|${other.product.id}`;
        pairs.set(k, [p.id, other.product.id, (pairs.get(k)?.[2] ?? 0) + 1]);
      }
    }
  }
  const sql = [
    ...insert(
      "users",
      ["id", "email", "username", "username_key", "phone_number", "role", "password_hash", "created_at", "updated_at"],
      buyers,
    ),
    ...userKeysSql(buyers),
    ...insert(
      "orders",
      [
        "id",
        "user_id",
        "status",
        "subtotal",
        "discount",
        "shipping",
        "total_amount",
        "wallet_amount",
        "currency",
        "coupon_codes",
        "shipping_address",
        "tracking_number",
        "refunded_amount",
        "paid_at",
        "shipped_at",
        "delivered_at",
        "created_at",
        "updated_at",
      ],
      orderRows,
    ),
    ...insert(
      "order_items",
      [
        "id",
        "order_id",
        "product_id",
        "variant_id",
        "options",
        "seller_id",
        "name",
        "quantity",
        "price",
        "discount",
        "status",
        "tracking_number",
        "created_at",
      ],
      itemRows,
    ),
    ...insert(
      "payments",
      [
        "id",
        "order_id",
        "user_id",
        "provider",
        "transaction_ref",
        "amount",
        "currency",
        "status",
        "payment_method",
        "created_at",
        "updated_at",
      ],
      paymentRows,
    ),
    // Who lists each order (src/db/shards.ts). The seeded history assumes one order database (ORDER_SHARDS=1).
    ...insert(
      "order_index",
      ["owner_id", "role", "order_id"],
      [
        ...orderRows.map((o) => [o[1], "buyer", o[0]]),
        ...[...new Set(itemRows.map((i) => `${i[5]}|${i[1]}`))].map((k) => [
          k.split("|")[0],
          "seller",
          k.split("|")[1],
        ]),
      ],
    ),
  ];
  const warehouse = [
    ...insert(
      "dim_products",
      [
        "product_id",
        "seller_id",
        "name",
        "category_id",
        "brand",
        "status",
        "stock_available",
        "rating_average",
        "updated_at",
      ],
      seeded.map((p) => [p.id, p.seller_id, p.name, p.category_id, p.brand, "active", p.stock, 0, iso(p.created)]),
    ),
    ...insert(
      "fact_order_items",
      [
        "order_item_id",
        "order_id",
        "seller_id",
        "product_id",
        "user_id",
        "quantity",
        "revenue",
        "status",
        "date_key",
        "paid_at",
      ],
      facts,
    ),
    ...insert("order_status", ["order_id", "status", "rank"], statusRows),
    ...insert("co_purchases", ["product_id", "other_id", "count"], [...pairs.values()]),
    ...insert("user_purchases", ["user_id", "product_id", "at"], [...purchases.values()]),
    ...insert("user_affinity", ["user_id", "kind", "key", "score"], [...affinity.values()]),
  ];
  return { sql, warehouse, orders: orders.length };
}

export async function seedLocal({ adminEmail, adminPassword, file, synthetic, remote = false, persistTo } = {}) {
  const vars = ensureDevVars();
  let { source, products } = file ? { source: file, products: loadFile(file) } : loadSeedCatalog();
  if (synthetic) products = synthesize(products, synthetic);
  // A remote seed loads the catalog only: no admin, no buyers, no order history, and seller
  // accounts nobody can sign in to. Known local passwords never reach a deployed database.
  const built = remote
    ? await buildSeedSql({
        products,
        queries: file ? [] : loadSeedQueries(products),
        withHistory: false,
        sellerPassword: null,
      })
    : await buildSeedSql({
        products,
        queries: file ? [] : loadSeedQueries(products),
        withHistory: !file && !synthetic,
        adminEmail: adminEmail ?? vars.ADMIN_EMAIL,
        adminPassword: adminPassword ?? vars.LOCAL_ADMIN_PASSWORD,
        sellerPassword: vars.LOCAL_ADMIN_PASSWORD,
      });
  const dir = join(ROOT, ".wrangler", "seed");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "seed.sql");
  writeFileSync(path, built.sql);
  const target = remote ? ["--remote"] : ["--local", ...(persistTo ? ["--persist-to", persistTo] : [])];
  await run(WRANGLER, ["d1", "execute", "DB", ...target, "--file", path, "--yes"], { quiet: true, env: { CI: "1" } });
  if (built.warehouseSql) {
    const wpath = join(dir, "warehouse.sql");
    writeFileSync(wpath, built.warehouseSql);
    await run(WRANGLER, ["d1", "execute", "WAREHOUSE", ...target, "--file", wpath, "--yes"], {
      quiet: true,
      env: { CI: "1" },
    });
  }
  const { categories, sellers, products: n, orders } = built.counts;
  return {
    summary: `${n} products (${source} catalog), ${categories} categories, ${sellers} sellers, ${orders} past orders`,
    sellerHint: `${built.sellerEmail} (and one per department) / same password as the admin`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const result = await seedLocal({
    file: opt("--file"),
    synthetic: opt("--synthetic") ? Number(opt("--synthetic")) : undefined,
    remote: args.includes("--remote"),
  });
  console.log(result.summary);
}
