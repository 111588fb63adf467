import { Hono } from "hono";

// The baseline: a bare Hono Worker on the same runtime, measured in the same run.
const app = new Hono();
app.get("/", (c) => c.json({ hello: "world" }));
export default app;
