import { z } from "@hono/zod-openapi";
import { ApiError } from "./errors";

/**
 * Cursor pagination in Stripe's style: `?limit=&cursor=`, answered with
 * `{ data, next_cursor }`. A cursor is the sort key of the last row returned,
 * opaque to clients (base64url JSON), so a page never skips or repeats rows
 * when rows are inserted meanwhile, unlike offsets.
 */
const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 20;

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT)
    .default(DEFAULT_PAGE_LIMIT)
    .openapi({ description: `Page size, 1..${MAX_PAGE_LIMIT}`, example: DEFAULT_PAGE_LIMIT }),
  cursor: z.string().max(512).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

export type CursorKey = (string | number)[];

export function encodeCursor(key: CursorKey): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes a cursor whose key has `arity` parts; anything else is a 400 naming `cursor`. */
export function decodeCursor(cursor: string, arity: number): CursorKey {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const key: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((part) => typeof part === "string" || (typeof part === "number" && Number.isFinite(part)))
    ) {
      return key as CursorKey;
    }
  } catch {
    // fall through to the 400 below
  }
  throw new ApiError("validation_failed", "cursor is not a cursor this endpoint issued", {
    details: [{ field: "cursor", code: "invalid_cursor", message: "Malformed or foreign cursor" }],
  });
}

/**
 * Shapes a page from rows fetched with `LIMIT limit + 1`: the extra row only
 * tells whether another page exists.
 */
export function toPage<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => CursorKey,
): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  const next_cursor = rows.length > limit && data.length > 0 ? encodeCursor(keyOf(data[data.length - 1])) : null;
  return { data, next_cursor };
}

/** The list envelope schema for OpenAPI: `{ data: [item], next_cursor }`. */
export function pageSchema<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}
