import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notificationPreferences } from "../../db/schema/notifications";
import { type Channel, KINDS, type Kind, DEFAULT_CHANNELS } from "./kinds";

/** A user's notification preferences: which channels each kind goes to. */

export async function preferences(env: Pick<Env, "DB">, userId: string): Promise<Record<Kind, Channel[]>> {
  const rows = await getDb(env)
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId))
    .all();
  const out = { ...DEFAULT_CHANNELS };
  for (const r of rows)
    if ((KINDS as readonly string[]).includes(r.kind)) out[r.kind as Kind] = r.channels as Channel[];
  return out;
}

export async function setPreferences(env: Pick<Env, "DB">, userId: string, prefs: Partial<Record<Kind, Channel[]>>) {
  const db = getDb(env);
  const entries = Object.entries(prefs).filter(([, v]) => v !== undefined) as [Kind, Channel[]][];
  if (entries.length) {
    await db.batch(
      entries.map(([kind, channels]) =>
        db
          .insert(notificationPreferences)
          .values({ userId, kind, channels: [...new Set(channels)] })
          .onConflictDoUpdate({
            target: [notificationPreferences.userId, notificationPreferences.kind],
            set: { channels: [...new Set(channels)], updatedAt: new Date().toISOString() },
          }),
      ) as unknown as Parameters<typeof db.batch>[0],
    );
  }
  return preferences(env, userId);
}
