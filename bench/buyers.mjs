// Virtual buyers for the bench and the profiler: real accounts written straight to
// local D1, and access tokens signed with the local key ring as the API would issue
// them (no scrypt login per buyer).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, WRANGLER, run } from "../scripts/lib.mjs";

/** A virtual buyer's user id: deterministic, so the accounts exist before the server starts. */
export const buyerId = (prefix, i) => `usr_${`${prefix}${String(i).padStart(8, "0")}`.padEnd(26, "0")}`;

/**
 * The buyers of each [prefix, count] group as accounts, so what an order sets off
 * downstream is what a real buyer's does: the confirmation email goes to the sink,
 * not to the dead-letter queue for want of an address. Their password hash matches
 * no password: they sign in only through the tokens from `mintTokens`.
 */
export async function createBuyers(persistTo, groups) {
  const rows = groups.flatMap(([prefix, n]) => Array.from({ length: n }, (_, i) => buyerId(prefix, i)));
  const never = `scrypt$16384$8$5$${Buffer.alloc(16).toString("base64url")}$${Buffer.alloc(32).toString("base64url")}`;
  const sql = [];
  for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    sql.push(
      `INSERT OR IGNORE INTO users (id, email, username, username_key, role, password_hash) VALUES ${part
        .map(
          (id) =>
            `('${id}', '${id.toLowerCase()}@bench.local', '${id.toLowerCase()}', '${id.toLowerCase()}', 'buyer', '${never}')`,
        )
        .join(",")};`,
      `INSERT OR IGNORE INTO user_keys (key, user_id) VALUES ${part.flatMap((id) => [`('email:${id.toLowerCase()}@bench.local', '${id}')`, `('username:${id.toLowerCase()}', '${id}')`]).join(",")};`,
    );
  }
  const file = join(ROOT, ".wrangler", `bench-buyers-${process.pid}.sql`);
  writeFileSync(file, sql.join("\n"));
  try {
    await run(WRANGLER, ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file, "--yes"], {
      quiet: true,
      env: { CI: "1" },
    });
  } finally {
    rmSync(file, { force: true });
  }
}

/** Access tokens for the first `n` buyers of a group. */
export async function mintTokens(vars, n, prefix) {
  const { SignJWT } = await import("jose");
  const ring = JSON.parse(vars.JWT_KEYS);
  const key = Buffer.from(ring.keys[ring.current], "base64url");
  const wrangler = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const iss = /JWT_ISSUER = "([^"]+)"/.exec(wrangler)[1];
  const aud = /JWT_AUDIENCE = "([^"]+)"/.exec(wrangler)[1];
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      new SignJWT({ role: "buyer" })
        .setProtectedHeader({ alg: "HS256", kid: ring.current, typ: "JWT" })
        .setSubject(buyerId(prefix, i))
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime("30m")
        .sign(key),
    ),
  );
}
