/**
 * The build's architecture checks (npm run check:deps, in .ci/run):
 * - no import cycles, between modules or through type imports;
 * - a domain kept in a folder of src/services is reached through its public module (index.ts)
 *   from outside the folder; its other files are its own. Its Durable Object (src/durable/) is a
 *   shell over those files and may reach them. The catalog is several modules on purpose (its
 *   reads apart from its writes, which call inventory and auctions), so it is not listed;
 * - lib/ is domain-free: it imports no domain, route or Durable Object;
 * - domains do not import routes or the app's wiring;
 * - a domain's tables (src/db/schema/<domain>.ts, the warehouse's schema) are imported only by the
 *   code that owns them (scripts/table-owners.cjs; scripts/check-tables.mjs checks the SQL text).
 */
const TABLE_OWNERS = require("./scripts/table-owners.cjs");
const tableRules = Object.entries(TABLE_OWNERS).map(([domain, { schema = `src/db/schema/${domain}.ts`, owners }]) => ({
  name: `tables-of-${domain}`,
  severity: "error",
  comment: `Only ${domain}'s own code touches its tables; others call its functions`,
  from: { pathNot: [...owners, "^src/db/"] },
  to: { path: `^${schema.replace(/\./g, "\\.")}$` },
}));
const FOLDER_DOMAINS = "auctions|tax|search|notifications|analytics|payments|cart|checkout|inventory|ledger|orders|returns|promotions";
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "An import cycle", from: {}, to: { circular: true } },
    {
      name: "domain-public-module",
      severity: "error",
      comment: "Reach a folder domain through its index.ts",
      from: { path: "^src/", pathNot: [`^src/services/(${FOLDER_DOMAINS})/`, "^src/durable/"] },
      to: { path: `^src/services/(${FOLDER_DOMAINS})/(?!index\\.ts$)` },
    },
    {
      name: "domain-public-module-across",
      severity: "error",
      comment: "One folder domain reaches another through its index.ts",
      from: { path: `^src/services/(${FOLDER_DOMAINS})/` },
      to: { path: `^src/services/(${FOLDER_DOMAINS})/(?!index\\.ts$)`, pathNot: "^src/services/$1/" },
    },
    { name: "lib-is-domain-free", severity: "error", from: { path: "^src/lib/" }, to: { path: "^src/(services|routes|durable|web|app\\.ts|index\\.ts)" } },
    { name: "no-routes-from-domains", severity: "error", from: { path: "^src/(services|durable|lib)/" }, to: { path: "^src/(routes|web)/|^src/app\\.ts$" } },
    ...tableRules,
  ],
  options: {
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
  },
};
