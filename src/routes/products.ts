import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { PageQuery, pageSchema } from "../lib/pagination";
import { createRouter } from "../lib/validation";
import {
  CreateProductBody,
  ProductIdParam,
  ProductListQuery,
  ProductSchema,
  UpdateProductBody,
} from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { background } from "../lib/background";
import * as catalog from "../services/catalog/products";
import { indexProducts } from "../services/search";
import { recordView } from "../services/analytics";
import { matchesETag } from "../lib/edge-cache";

const createProduct = createRoute({
  method: "post",
  path: "/products",
  tags: ["Catalog"],
  summary: "List a product for sale (seller)",
  ...allowRoles("seller", "admin"),
  request: { body: jsonBody(CreateProductBody) },
  responses: { 201: jsonResponse(ProductSchema, "Created"), ...errorResponses(400, 401, 403) },
});

const bulkCreate = createRoute({
  method: "post",
  path: "/products/bulk",
  tags: ["Catalog"],
  summary: `Import up to ${catalog.MAX_BULK_PRODUCTS} products at once (seller), all or nothing`,
  description:
    "Each item is a product as for POST /products; errors name the item (`products.7.price`). The body may be up to 2 MB.",
  ...allowRoles("seller", "admin"),
  request: {
    body: jsonBody(
      z
        .strictObject({ products: z.array(CreateProductBody).min(1).max(catalog.MAX_BULK_PRODUCTS) })
        .openapi("BulkCreateProductsRequest"),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({ data: z.array(ProductSchema), count: z.number().int() }).openapi("BulkCreateProducts"),
      "Created",
    ),
    ...errorResponses(400, 401, 403, 413),
  },
});

const listProducts = createRoute({
  method: "get",
  path: "/products",
  tags: ["Catalog"],
  summary: "Active products, newest first",
  description: "`category_id` includes every subcategory. Archived products are not listed.",
  request: { query: PageQuery.extend(ProductListQuery.shape) },
  responses: {
    200: jsonResponse(pageSchema(ProductSchema, "ProductList"), "A page of products"),
    ...errorResponses(400),
  },
});

const getProduct = createRoute({
  method: "get",
  path: "/products/{product_id}",
  tags: ["Catalog"],
  summary: "One product (archived ones too, with `status: archived`)",
  request: { params: ProductIdParam },
  responses: {
    200: jsonResponse(ProductSchema, "The product"),
    304: { description: "Not modified (If-None-Match matched the ETag)" },
    ...errorResponses(400, 404),
  },
});

const updateProduct = createRoute({
  method: "patch",
  path: "/products/{product_id}",
  tags: ["Catalog"],
  summary: "Change a product (its seller or an admin)",
  description:
    "Any product field but `seller_id` and `product_id`. `stock_available` sets the stock through the inventory object; " +
    "`status: archived` is a soft delete.",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(UpdateProductBody) },
  responses: { 200: jsonResponse(ProductSchema, "Updated"), ...errorResponses(400, 401, 403, 404, 409) },
});

const archiveProduct = createRoute({
  method: "delete",
  path: "/products/{product_id}",
  tags: ["Catalog"],
  summary: "Archive a product (soft delete; its seller or an admin)",
  ...signedIn,
  request: { params: ProductIdParam },
  responses: { 200: jsonResponse(ProductSchema, "Archived"), ...errorResponses(401, 403, 404) },
});

/** The events queue indexes every write; doing it right away too makes a write searchable at once in the common case. */
function indexSoon(env: Env, productId: string) {
  return background(() => indexProducts(env, [productId]).catch(() => undefined));
}

export const productRoutes = createRouter()
  .openapi(bulkCreate, async (c) => {
    const created = await catalog.createProducts(c.env, currentUser(c).userId, c.req.valid("json").products);
    return c.json({ data: created, count: created.length }, 201);
  })
  .openapi(createProduct, async (c) => {
    const product = await catalog.createProduct(c.env, currentUser(c).userId, c.req.valid("json"));
    await indexSoon(c.env, product.product_id);
    return c.json(product, 201);
  })
  .openapi(listProducts, async (c) => c.json(await catalog.listProducts(c.env, c.req.valid("query")), 200))
  .openapi(getProduct, async (c) => {
    const row = await catalog.readProduct(c.env, c.req.valid("param").product_id);
    if (!row) throw new ApiError("not_found", "Product not found");
    // A view fact for sellers' conversion reports (batched, sent after the response).
    await recordView(c.env, {
      view_id: c.get("requestId"),
      product_id: row.id,
      seller_id: row.sellerId,
      user_id: c.get("auth")?.userId ?? null,
      at: new Date().toISOString(),
    });
    // The row's versions say when anything shown changed: an ETag without hashing the body.
    const tag = `W/"${row.id}.${row.version}.${row.stockVersion}.${row.stockAvailable}"`;
    c.header("ETag", tag);
    if (matchesETag(c.req.header("if-none-match"), tag)) return c.body(null, 304);
    return c.json(catalog.toProduct(row), 200);
  })
  .openapi(updateProduct, async (c) => {
    const { product_id } = c.req.valid("param");
    const key = c.req.header("Idempotency-Key");
    const product = await catalog.updateProduct(
      c.env,
      currentUser(c),
      product_id,
      c.req.valid("json"),
      key ? `idem:${key}` : undefined,
    );
    await indexSoon(c.env, product_id);
    return c.json(product, 200);
  })
  .openapi(archiveProduct, async (c) => {
    const product = await catalog.archiveProduct(c.env, currentUser(c), c.req.valid("param").product_id);
    await indexSoon(c.env, product.product_id);
    return c.json(product, 200);
  });
