/**
 * A product's default variant has an id derived from the product's (`prd_X` -> `var_X`), so
 * rows written before variants existed (order lines, cart lines, inventory objects named by the
 * product id) resolve to it without a lookup.
 */
export function defaultVariantId(productId: string): string {
  return `var_${productId.slice(productId.indexOf("_") + 1)}`;
}

/**
 * The name of the inventory object holding a variant's stock: the product id for its default
 * variant (the object that held the product's stock before variants), the variant id otherwise.
 */
export function stockKey(productId: string, variantId?: string | null): string {
  return !variantId || variantId === defaultVariantId(productId) ? productId : variantId;
}

/** The variant whose stock an inventory object named `key` holds (stockKey's inverse). */
export function variantIdOfKey(key: string): string {
  return isVariantKey(key) ? key : defaultVariantId(key);
}

/** Whether an inventory object's name is a variant id (else a product id: that product's default variant). */
export function isVariantKey(key: string): boolean {
  return key.startsWith("var_");
}

/** Options as canonical JSON (names sorted): equal option sets compare equal. */
export function optionsKey(options: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}
