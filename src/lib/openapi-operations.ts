import type { OpenAPIHono } from "@hono/zod-openapi";

type OpenAPIRegistry = OpenAPIHono["openAPIRegistry"];

/**
 * Makes every documented operation fit for client generators: a stable `operationId` from its
 * method and path (`GET /products/{product_id}/variants` -> `getProductsByProductIdVariants`),
 * a tag, and `security: []` on public operations (an operation with none declared would inherit
 * nothing and leave generators guessing). Routes that set these keep their own.
 */
export function normalizeOperations(registry: OpenAPIRegistry): void {
  const taken = new Set<string>();
  for (const d of registry.definitions) {
    if (d.type !== "route") continue;
    const route = d.route;
    if (!route.operationId) {
      let id = operationId(route.method, route.path);
      for (let n = 2; taken.has(id); n++) id = `${operationId(route.method, route.path)}${n}`;
      route.operationId = id;
    }
    taken.add(route.operationId);
    if (!route.tags?.length) route.tags = [tagOf(route.path)];
    if (!route.security) route.security = [];
  }
}

const camel = (s: string) =>
  s.replace(/[-_]+(\w)/g, (_, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());

export function operationId(method: string, path: string): string {
  const parts = path
    .split("/")
    .filter(Boolean)
    .map((p) => (p.startsWith("{") ? `By${camel(p.slice(1, -1))}` : camel(p)));
  return `${method.toLowerCase()}${parts.join("") || "Root"}`;
}

function tagOf(path: string): string {
  const first = path.split("/").filter(Boolean)[0] ?? "root";
  return camel(first);
}
