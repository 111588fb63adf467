import { DurableObject } from "cloudflare:workers";

/**
 * Declared in wrangler.toml from the start so the binding and its SQLite
 * migration exist; its operations arrive with issue #3.
 */
export class InventoryItem extends DurableObject<Env> {}
