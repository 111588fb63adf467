import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types";

/**
 * D1 read replication through the Sessions API. With `D1_READ_REPLICAS = "on"` (the deployed
 * environments), each request runs its queries in one session: reads may go to a nearby replica
 * ("first-unconstrained"), writes start at the primary ("first-primary"). The answer carries the
 * session's bookmark in `X-D1-Bookmark`; a client that sends it back reads at least what it has
 * written (sequential consistency for that client), wherever its next request lands.
 * Locally (no replicas) the var is off and requests use the databases directly.
 */
const BOOKMARK = "x-d1-bookmark";
const BOOKMARK_PATTERN = /^[0-9a-f-]{8,200}$/i;

export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.D1_READ_REPLICAS !== "on") return next();
  const sent = c.req.header(BOOKMARK);
  const read = c.req.method === "GET" || c.req.method === "HEAD";
  const start = sent && BOOKMARK_PATTERN.test(sent) ? sent : read ? "first-unconstrained" : "first-primary";
  const session = c.env.DB.withSession(start);
  c.env = { ...c.env, DB: session as unknown as D1Database };
  await next();
  const bookmark = session.getBookmark();
  if (bookmark) c.res.headers.set("X-D1-Bookmark", bookmark);
});
