import { describe, expect, it } from "vitest";
import { operationId } from "../src/lib/openapi-operations";
import { call, json } from "./helpers";

/** What client generators (and `redocly lint`'s recommended rules) need of every operation. */
describe("the OpenAPI document", () => {
  it("gives every operation a unique operationId, a tag, a declared security, and a documented 4xx", async () => {
    const doc = await json(await call("GET", "/openapi.json"));
    const problems: string[] = [];
    const ids = new Set<string>();
    let count = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
        count++;
        const name = `${method.toUpperCase()} ${path}`;
        if (!op.operationId) problems.push(`${name}: no operationId`);
        else if (ids.has(op.operationId)) problems.push(`${name}: operationId ${op.operationId} twice`);
        ids.add(op.operationId);
        if (!op.tags?.length) problems.push(`${name}: no tag`);
        if (!Array.isArray(op.security)) problems.push(`${name}: no security declared`);
        if (!Object.keys(op.responses ?? {}).some((s) => /^4\d\d$/.test(s))) problems.push(`${name}: no 4xx response`);
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it("derives ids that stay put as long as the path does", () => {
    expect(operationId("get", "/products/{product_id}/variants")).toBe("getProductsByProductIdVariants");
    expect(operationId("post", "/cart/shipping-address")).toBe("postCartShippingAddress");
    expect(operationId("get", "/")).toBe("getRoot");
  });
});
