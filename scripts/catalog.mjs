// Loads a product catalog into one normalised shape, from the real data sets in
// ../shared/data, from any catalog file, or generated deterministically when
// neither is present. Also grows a synthetic catalog of N products for benchmarks.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib.mjs";

export const SHARED_DATA = process.env.SHARED_DATA ?? join(ROOT, "..", "shared", "data");

/** A stable 32-bit number from a string: seeded stock, times and ids never change between runs. */
export function stableHash(s) {
  return createHash("sha256").update(s).digest().readUInt32BE(0);
}

const toCents = (v) => Math.round(Number.parseFloat(String(v)) * 100);

/** Normalises one record of either known shape (Best Buy or Mr Porter); returns null for anything else. */
export function normalise(record, index) {
  if (!record || typeof record !== "object" || typeof record.name !== "string") return null;
  const categories = Array.isArray(record.categories)
    ? record.categories.filter((c) => typeof c === "string" && c.trim())
    : [];
  if (categories.length === 0) return null;
  if ("designerName" in record) {
    const ref = `mrporter:${record.id ?? index}`;
    const colour = record.colour ?? null;
    const price = toCents(record.price);
    return {
      source_ref: ref,
      name: record.name,
      description: `${record.name} by ${record.designerName}${colour ? `, in ${colour.toLowerCase()}` : ""}. ${categories.join(" / ")}.`,
      brand: record.designerName,
      categories,
      price,
      images: record.imageURL ? [record.imageURL.startsWith("//") ? `https:${record.imageURL}` : record.imageURL] : [],
      // The colour is the product's; each size is a variant with its own stock (about one in eight sold out).
      attributes: { ...(colour ? { colour } : {}), ...(record.saleSeason ? { sale_season: record.saleSeason } : {}) },
      variants: sizeVariants(ref, record),
      popularity: stableHash(ref) % 1000,
      stock: record.outOfStock ? 0 : 5 + (stableHash(`${ref}:stock`) % 96),
    };
  }
  const ref = `bestbuy:${index}:${stableHash(record.name).toString(36)}`;
  return {
    source_ref: ref,
    name: record.name,
    description: record.description ?? record.name,
    brand: record.brand ?? null,
    categories,
    price: toCents(record.price ?? 0),
    images: record.image ? [record.image] : [],
    attributes: isPhone(categories) ? phoneAttributes(record.name) : {},
    popularity: Number.isFinite(record.popularity) ? record.popularity : 0,
    stock: 5 + (stableHash(`${ref}:stock`) % 196),
  };
}

/** One variant per size, in the catalog's order; stock per size, none at all where the record is sold out. */
function sizeVariants(ref, record) {
  const sizes = [
    ...new Set((record.sizes ?? []).filter((s) => typeof s === "string" && s.trim()).map((s) => s.trim())),
  ];
  if (sizes.length === 0) return undefined;
  return sizes.map((size) => {
    const h = stableHash(`${ref}:size:${size}`);
    return {
      key: `${ref}:size:${size}`,
      sku: `${String(record.id ?? ref).replace(/[^A-Za-z0-9]/g, "")}-${size}`.slice(0, 64),
      options: { size },
      stock: record.outOfStock || h % 8 === 0 ? 0 : 1 + (h % 20),
    };
  });
}

const PHONE_CATEGORIES = new Set([
  "Unlocked Cell Phones",
  "All Cell Phones with Plans",
  "Prepaid Phones",
  "iPhone",
  "Refurbished Phones",
  "Samsung Galaxy",
  "Smartphones",
  "Unlocked Phones",
]);
const isPhone = (categories) => categories.some((c) => PHONE_CATEGORIES.has(c));

/** Carriers as Best Buy's names state them. */
export const CARRIERS = [
  ["AT&T", /\bAT&T\b/],
  ["Verizon", /\bVerizon\b/],
  ["Sprint", /\bSprint\b/],
  ["T-Mobile", /\bT-Mobile\b/],
  ["Boost Mobile", /\bBoost Mobile\b/],
  ["Cricket Wireless", /\bCricket\b/],
  ["Virgin Mobile", /\bVirgin Mobile\b/],
  ["Straight Talk", /\bStraight Talk\b/],
  ["Total Wireless", /\bTotal Wireless\b/],
  ["TracFone", /\bTracFone\b/i],
  ["Simple Mobile", /\bSimple Mobile\b/],
  ["MetroPCS", /\bMetroPCS\b/],
  ["Unlocked", /\bUnlocked\b/],
];

/** What a phone's name states: storage capacity (GB), carrier and colour ("… 16GB Memory … - Black"). */
export function phoneAttributes(name) {
  const out = {};
  const gb = /(\d{1,4})\s?GB\b/i.exec(name);
  if (gb) out.storage_capacity = Number(gb[1]);
  const carrier = CARRIERS.find(([, re]) => re.test(name));
  if (carrier) out.carrier = carrier[0];
  const tail = name.split(" - ").slice(1).pop();
  if (name.split(" - ").length > 2 && tail) {
    const colour = tail.replace(/\(.*?\)/g, "").trim();
    if (colour && colour.length <= 30 && !/\d/.test(colour) && colour.split(/\s+/).length <= 3) out.colour = colour;
  }
  return out;
}

/**
 * The attribute schemas the seed defines: size (a variant option) and colour on every top-level
 * department whose products come in sizes, and storage capacity, carrier and colour on each phone
 * category. Enum values are what the catalog holds.
 */
export function attributeSchemas(products) {
  const out = new Map();
  const put = (path, name, def) => {
    const key = `${path.join(" > ")}|${name}`;
    const cur = out.get(key) ?? { path, name, ...def, values: new Set() };
    for (const v of def.values ?? []) cur.values.add(v);
    out.set(key, cur);
  };
  for (const p of products) {
    if (p.variants?.length) {
      put(p.categories.slice(0, 1), "size", {
        type: "enum",
        variant_option: true,
        facet: true,
        values: p.variants.map((v) => v.options.size).filter(Boolean),
      });
      if (p.attributes.colour)
        put(p.categories.slice(0, 1), "colour", { type: "enum", facet: true, values: [p.attributes.colour] });
    } else if (isPhone(p.categories)) {
      const at = p.categories.slice(0, p.categories.findIndex((c) => PHONE_CATEGORIES.has(c)) + 1);
      put(at, "storage_capacity", { type: "number", unit: "GB", facet: true });
      put(at, "carrier", { type: "enum", facet: true, values: CARRIERS.map(([c]) => c) });
      put(at, "colour", { type: "text", facet: true });
    }
  }
  return [...out.values()].map((a) => ({ ...a, values: a.type === "enum" ? [...a.values] : [] }));
}

export function loadFile(path) {
  const data = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of products`);
  return data
    .map((r, i) => normalise(r, i))
    .filter(Boolean)
    .filter((p) => p.price > 0);
}

/** The seed catalog: the real data when ../shared/data is beside the clone, else a generated one. */
export function loadSeedCatalog() {
  const files = ["bestbuy-products.json", "mrporter-products.json"].map((f) => join(SHARED_DATA, f));
  if (files.every((f) => existsSync(f))) return { source: "real", products: files.flatMap(loadFile) };
  return { source: "generated", products: generateCatalog(2000) };
}

// A deterministic generator of the same shape, for clones without ../shared/data.
const BRANDS = [
  "Samsung",
  "Apple",
  "Sony",
  "LG",
  "Dell",
  "HP",
  "Lenovo",
  "Bose",
  "Canon",
  "Nikon",
  "GUCCI",
  "TOM FORD",
  "Prada",
  "Acne Studios",
  "Loewe",
];
const TREE = {
  "Cell Phones": { Smartphones: ["Unlocked Phones", "Prepaid Phones"], Accessories: ["Cases", "Chargers"] },
  "Computers & Tablets": { Laptops: ["Gaming Laptops", "2-in-1 Laptops"], Tablets: ["iPads", "Android Tablets"] },
  "TV & Home Theater": { TVs: ["4K TVs", "OLED TVs"], Speakers: ["Soundbars", "Bookshelf Speakers"] },
  Audio: { Headphones: ["Over-Ear", "Earbuds"] },
  Clothing: {
    "Polo shirts": ["Short sleeve polo shirts"],
    "T-shirts": ["Printed T-shirts", "Plain T-shirts"],
    Jackets: ["Bomber jackets"],
  },
  Shoes: { Sneakers: ["Low top sneakers", "High top sneakers"], Boots: ["Chelsea boots"] },
};
const COLOURS = ["Black", "Navy", "White", "Red", "Green", "Gray"];
const ADJECTIVES = [
  "Slim-Fit",
  "Wireless",
  "Portable",
  "Premium",
  "Compact",
  "Classic",
  "Ultra",
  "Smart",
  "Cotton",
  "Leather",
];
const LEAVES = Object.entries(TREE).flatMap(([a, subs]) =>
  Object.entries(subs).flatMap(([b, leaves]) => leaves.map((c) => [a, b, c])),
);

/** xorshift32: a tiny deterministic generator for seeded data. */
export function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export function generateCatalog(n, seed = 42) {
  const rand = rng(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  return Array.from({ length: n }, (_, i) => {
    const categories = pick(LEAVES);
    const finish = (p) => (isPhone(categories) ? { ...p, attributes: phoneAttributes(p.name) } : p);
    const brand = pick(BRANDS);
    const name = `${brand} ${pick(ADJECTIVES)} ${categories[2].replace(/s$/, "")} ${100 + Math.floor(rand() * 900)}`;
    const ref = `generated:${seed}:${i}`;
    const sized = categories[0] === "Clothing" || categories[0] === "Shoes";
    const colour = pick(COLOURS);
    const phone = isPhone(categories);
    return finish({
      source_ref: ref,
      name: phone ? `${name} ${pick([16, 32, 64, 128])}GB (${pick(CARRIERS.map(([c]) => c))}) - ${colour}` : name,
      description: `${name}: a ${pick(ADJECTIVES).toLowerCase()} pick from ${brand} in ${categories.join(" / ")}.`,
      brand,
      categories,
      price: 500 + Math.floor(rand() * 200_000),
      images: [],
      attributes: sized ? { colour } : {},
      ...(sized
        ? {
            variants: sizeVariants(ref, {
              id: `g${i}`,
              sizes: categories[0] === "Shoes" ? ["40", "41", "42", "43", "44"] : ["S", "M", "L", "XL"],
            }),
          }
        : {}),
      popularity: Math.floor(rand() * 20_000),
      stock: Math.floor(rand() * 200),
    });
  });
}

/** Grows a catalog to n products by cloning the base with varied names, prices and refs. */
export function synthesize(base, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = base[i % base.length];
    const round = Math.floor(i / base.length);
    if (round === 0) out.push(p);
    else
      out.push({
        ...p,
        source_ref: `${p.source_ref}#${round}`,
        name: `${p.name} (${round + 1})`,
        price: Math.max(100, p.price + ((stableHash(`${p.source_ref}#${round}`) % 2001) - 1000)),
        stock: stableHash(`${p.source_ref}#${round}:stock`) % 200,
        ...(p.variants
          ? {
              variants: p.variants.map((v) => ({
                ...v,
                key: `${v.key}#${round}`,
                sku: `${v.sku}-${round}`.slice(0, 64),
              })),
            }
          : {}),
      });
  }
  return out;
}

/** Popular queries for autocomplete: the real shopper queries, or product-name words when the data is absent. */
export function loadSeedQueries(products) {
  const file = join(SHARED_DATA, "search-queries.json");
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, "utf8"))
      .filter((q) => typeof q.query === "string" && q.query.trim())
      .map((q) => ({
        query: q.query.trim().toLowerCase().replace(/\s+/g, " ").slice(0, 100),
        popularity: Number(q.popularity) || 1,
      }));
  }
  const counts = new Map();
  for (const p of products) {
    const words = p.name
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 3);
    for (let i = 0; i + 1 < words.length; i++) {
      const q = `${words[i]} ${words[i + 1]}`;
      counts.set(q, (counts.get(q) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2000)
    .map(([query, popularity]) => ({ query, popularity }));
}
