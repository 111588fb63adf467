import { sql } from "drizzle-orm";
import { text } from "drizzle-orm/sqlite-core";

/** Timestamps shown to clients are ISO 8601 text; expiry instants used only for comparisons are integer epoch milliseconds. */
export const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
export const updatedAt = () => text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
