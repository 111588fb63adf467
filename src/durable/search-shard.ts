import { DurableObject } from "cloudflare:workers";

/**
 * Declared in wrangler.toml from the start so the binding and its SQLite
 * migration exist; its operations arrive with issue #4.
 */
export class SearchShard extends DurableObject<Env> {}
