import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles, currentUser, signedIn } from "../middleware/auth";
import { ApiError } from "../lib/errors";
import { createRouter } from "../lib/validation";
import {
  AttributeSchema,
  CreateAttributeBody,
  CreateVariantBody,
  UpdateVariantBody,
  VariantId,
  VariantSchema,
} from "../schemas/attributes";
import { CategoryIdParam, ProductIdParam } from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import { background } from "../lib/background";
import { createAttribute, listAttributes } from "../services/catalog/attributes";
import { readProduct, toProduct } from "../services/catalog/product-reads";
import { createVariant, updateVariant } from "../services/catalog/variant-writes";
import { indexProducts } from "../services/search";

/** Category attribute schemas and product variants (API.md, "Attributes and variants"). */

const listAttributesRoute = createRoute({
  method: "get",
  path: "/categories/{category_id}/attributes",
  tags: ["Catalog"],
  summary: "A category's attributes: those inherited from its ancestors, then its own",
  request: { params: CategoryIdParam },
  responses: {
    200: jsonResponse(z.object({ data: z.array(AttributeSchema) }), "Attributes"),
    ...errorResponses(400, 404),
  },
});

const createAttributeRoute = createRoute({
  method: "post",
  path: "/categories/{category_id}/attributes",
  tags: ["Catalog"],
  summary: "Define an attribute for a category and its subcategories (admin)",
  description:
    "Products of the category are validated against it on create and patch: a bad value is a 400 naming the attribute. " +
    "A `variant_option` is chosen per variant (size); a `facet` is a search filter and facet (`/search?size=M`).",
  ...allowRoles("admin"),
  request: { params: CategoryIdParam, body: jsonBody(CreateAttributeBody) },
  responses: { 201: jsonResponse(AttributeSchema, "Created"), ...errorResponses(400, 401, 403, 404, 409) },
});

const VariantParams = ProductIdParam.extend({
  variant_id: VariantId.openapi({ param: { name: "variant_id", in: "path" } }),
});

const listVariantsRoute = createRoute({
  method: "get",
  path: "/products/{product_id}/variants",
  tags: ["Catalog"],
  summary: "A product's variants with their stock",
  request: { params: ProductIdParam },
  responses: { 200: jsonResponse(z.object({ data: z.array(VariantSchema) }), "Variants"), ...errorResponses(400, 404) },
});

const createVariantRoute = createRoute({
  method: "post",
  path: "/products/{product_id}/variants",
  tags: ["Catalog"],
  summary: "Add a variant (its seller or an admin)",
  description:
    "Options are checked against the category's variant options. Two variants of a product cannot share options or a SKU (409).",
  ...signedIn,
  request: { params: ProductIdParam, body: jsonBody(CreateVariantBody) },
  responses: { 201: jsonResponse(VariantSchema, "Created"), ...errorResponses(400, 401, 403, 404, 409) },
});

const updateVariantRoute = createRoute({
  method: "patch",
  path: "/products/{product_id}/variants/{variant_id}",
  tags: ["Catalog"],
  summary: "Change a variant's SKU or price (its seller or an admin)",
  description: "Stock moves through `POST /inventory/{product_id}` with `variant_id`.",
  ...signedIn,
  request: { params: VariantParams, body: jsonBody(UpdateVariantBody) },
  responses: { 200: jsonResponse(VariantSchema, "Updated"), ...errorResponses(400, 401, 403, 404, 409) },
});

/** A new variant or price is searchable at once in the common case (the events queue indexes it too). */
const indexSoon = (env: Env, productId: string) =>
  background(() => indexProducts(env, [productId]).catch(() => undefined));

export const variantRoutes = createRouter()
  .openapi(listAttributesRoute, async (c) =>
    c.json({ data: await listAttributes(c.env, c.req.valid("param").category_id) }, 200),
  )
  .openapi(createAttributeRoute, async (c) =>
    c.json(await createAttribute(c.env, c.req.valid("param").category_id, c.req.valid("json")), 201),
  )
  .openapi(listVariantsRoute, async (c) => {
    const row = await readProduct(c.env, c.req.valid("param").product_id);
    if (!row) throw new ApiError("not_found", "Product not found");
    return c.json({ data: toProduct(row).variants }, 200);
  })
  .openapi(createVariantRoute, async (c) => {
    const { product_id } = c.req.valid("param");
    const variant = await createVariant(c.env, currentUser(c), product_id, c.req.valid("json"));
    await indexSoon(c.env, product_id);
    return c.json(variant, 201);
  })
  .openapi(updateVariantRoute, async (c) => {
    const { product_id, variant_id } = c.req.valid("param");
    const variant = await updateVariant(c.env, currentUser(c), product_id, variant_id, c.req.valid("json"));
    await indexSoon(c.env, product_id);
    return c.json(variant, 200);
  });
