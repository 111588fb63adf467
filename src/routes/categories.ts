import { createRoute, z } from "@hono/zod-openapi";
import { allowRoles } from "../middleware/auth";
import { createRouter } from "../lib/validation";
import {
  CategoryIdParam,
  CategorySchema,
  CategoryTreeNode,
  CreateCategoryBody,
  UpdateCategoryBody,
} from "../schemas/catalog";
import { errorResponses, jsonBody, jsonResponse } from "../schemas/common";
import * as categories from "../services/catalog/categories";

const listCategories = createRoute({
  method: "get",
  path: "/categories",
  tags: ["Catalog"],
  summary: "The whole category tree",
  description: "Roots with nested `children`. Cacheable for a minute.",
  // 401: a malformed or expired bearer token is refused on every route, public ones too.
  responses: { 200: jsonResponse(z.object({ data: z.array(CategoryTreeNode) }), "The tree"), ...errorResponses(401) },
});

const createCategory = createRoute({
  method: "post",
  path: "/categories",
  tags: ["Catalog"],
  summary: "Create a category (admin)",
  ...allowRoles("admin"),
  request: { body: jsonBody(CreateCategoryBody) },
  responses: { 201: jsonResponse(CategorySchema, "Created"), ...errorResponses(400, 401, 403, 409) },
});

const updateCategory = createRoute({
  method: "patch",
  path: "/categories/{category_id}",
  tags: ["Catalog"],
  summary: "Rename or move a category (admin)",
  description: "Moving a subtree that holds products is refused with 409 `category_in_use`.",
  ...allowRoles("admin"),
  request: { params: CategoryIdParam, body: jsonBody(UpdateCategoryBody) },
  responses: { 200: jsonResponse(CategorySchema, "Updated"), ...errorResponses(400, 401, 403, 404, 409) },
});

const deleteCategory = createRoute({
  method: "delete",
  path: "/categories/{category_id}",
  tags: ["Catalog"],
  summary: "Delete an empty category (admin)",
  description: "A category with subcategories or products is refused with 409 `category_in_use`.",
  ...allowRoles("admin"),
  request: { params: CategoryIdParam },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 403, 404, 409) },
});

export const categoryRoutes = createRouter()
  .openapi(listCategories, async (c) => {
    c.header("Cache-Control", "public, max-age=60");
    return c.json({ data: await categories.categoryTree(c.env) }, 200);
  })
  .openapi(createCategory, async (c) => c.json(await categories.createCategory(c.env, c.req.valid("json")), 201))
  .openapi(updateCategory, async (c) =>
    c.json(await categories.updateCategory(c.env, c.req.valid("param").category_id, c.req.valid("json")), 200),
  )
  .openapi(deleteCategory, async (c) => {
    await categories.deleteCategory(c.env, c.req.valid("param").category_id);
    return c.body(null, 204);
  });
