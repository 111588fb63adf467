import { getDb } from "../../db/client";
import { commissionRules } from "../../db/schema/ledger";
import { ApiError } from "../../lib/errors";
import { findProducts } from "../catalog/product-reads";
import { DEFAULT_COMMISSION_BP } from "./accounts";

/** Commission rules per category (inherited down the tree) and what a line pays. */

type Rule = typeof commissionRules.$inferSelect;

export function commissionOf(amount: number, rule: Pick<Rule, "percentBp" | "fixed" | "min" | "max">): number {
  let c = Math.round((amount * rule.percentBp) / 10_000) + rule.fixed;
  if (rule.min !== null) c = Math.max(c, rule.min);
  if (rule.max !== null) c = Math.min(c, rule.max);
  return Math.max(0, Math.min(c, amount));
}

export async function rulesFor(env: Pick<Env, "DB">, productIds: string[]): Promise<Map<string, Rule>> {
  const rules = new Map((await getDb(env).select().from(commissionRules).all()).map((r) => [r.categoryId, r]));
  const out = new Map<string, Rule>();
  const fallback: Rule = {
    categoryId: "*",
    percentBp: DEFAULT_COMMISSION_BP,
    fixed: 0,
    min: null,
    max: null,
    updatedAt: "",
  };
  for (const p of await findProducts(env, productIds)) {
    // The path lists the ancestors root first: the deepest one with a rule wins.
    const path = p.categoryPath.split("/").filter(Boolean);
    let rule = fallback;
    for (const id of path) rule = rules.get(id) ?? rule;
    out.set(p.id, rule);
  }
  return out;
}

export interface CommissionRuleInput {
  category_id: string;
  percent: number;
  fixed?: number;
  min?: number | null;
  max?: number | null;
}

export async function listCommissionRules(env: Pick<Env, "DB">) {
  const rows = await getDb(env).select().from(commissionRules).all();
  return rows.map((r) => ({
    category_id: r.categoryId,
    percent: r.percentBp / 100,
    fixed: r.fixed,
    min: r.min,
    max: r.max,
  }));
}

/** Replaces the rule set (one per category). */
export async function setCommissionRules(env: Pick<Env, "DB">, rules: CommissionRuleInput[]) {
  for (const [n, r] of rules.entries()) {
    if (r.min != null && r.max != null && r.min > r.max) {
      throw new ApiError("validation_failed", "min is above max", {
        details: [{ field: `rules.${n}.min`, code: "range", message: "min > max" }],
      });
    }
  }
  const db = getDb(env);
  const statements = [
    db.delete(commissionRules),
    ...rules.map((r) =>
      db.insert(commissionRules).values({
        categoryId: r.category_id,
        percentBp: Math.round(r.percent * 100),
        fixed: r.fixed ?? 0,
        min: r.min ?? null,
        max: r.max ?? null,
      }),
    ),
  ];
  await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return listCommissionRules(env);
}
