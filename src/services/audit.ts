import { desc, lt } from "drizzle-orm";
import { getDb, type Db } from "../db/client";
import { auditLog } from "../db/schema/audit";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";

/**
 * The audit module: owns `audit_log`, an append-only record of what admins did (role changes,
 * refunds without a return, dead-letter replays, erasures). There is deliberately no update or
 * delete here; an entry is written in the same batch as the action it records where it can be.
 */
export interface AuditEntry {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

function auditInsert(db: Db, entry: AuditEntry) {
  return db.insert(auditLog).values({
    id: newId("audit"),
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    details: JSON.stringify(entry.details ?? {}),
  });
}

export async function audit(env: Pick<Env, "DB">, entry: AuditEntry): Promise<void> {
  await auditInsert(getDb(env), entry);
}

export async function listAudit(env: Pick<Env, "DB">, limit: number, cursor?: string) {
  const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
  const rows = await getDb(env)
    .select()
    .from(auditLog)
    .where(after ? lt(auditLog.id, after) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = toPage(rows, limit, (r) => [r.id]);
  return {
    data: page.data.map((r) => ({
      audit_id: r.id,
      actor_id: r.actorId,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      details: JSON.parse(r.details) as Record<string, unknown>,
      created_at: r.createdAt,
    })),
    next_cursor: page.next_cursor,
  };
}
