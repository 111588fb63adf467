import { errorFields, log } from "./logger";

/**
 * A write that spans services, as steps that each carry their own undo
 * (Medusa's workflows, without the container). `step` runs a step and, once it
 * has succeeded, remembers its undo; `compensate` runs the remembered undos in
 * reverse. A step that must outlive a failure (an unpaid order a buyer may pay
 * later) is kept by the handle `step` returned, never by matching a name.
 */
export interface UndoHandle {
  readonly label: string;
}

interface Undo extends UndoHandle {
  run(): Promise<unknown>;
}

export class Saga {
  private undos: Undo[] = [];

  constructor(private readonly context: Record<string, unknown>) {}

  /** Runs `run`; if it succeeds and `undo` is given, `undo(result)` runs on compensation. */
  async step<T>(
    label: string,
    run: () => Promise<T>,
    undo?: (result: T) => Promise<unknown>,
  ): Promise<{ value: T; handle: UndoHandle | null }> {
    const value = await run();
    if (!undo) return { value, handle: null };
    const entry: Undo = { label, run: () => undo(value) };
    this.undos.push(entry);
    return { value, handle: entry };
  }

  /** Registers an undo for something already done (money that moved in a call that cannot be retried). */
  onFailure(label: string, undo: () => Promise<unknown>): UndoHandle {
    const entry: Undo = { label, run: undo };
    this.undos.push(entry);
    return entry;
  }

  /** These steps stay done whatever happens next. */
  keep(...handles: (UndoHandle | null)[]): void {
    this.undos = this.undos.filter((u) => !handles.includes(u));
  }

  /** Everything succeeded: nothing is undone from here on. */
  complete(): void {
    this.undos = [];
  }

  /**
   * Undoes what was done, newest first. An undo that fails is logged and the
   * rest still run; each has a safety net (reservation TTL, cron sweeps).
   */
  async compensate(): Promise<void> {
    const undos = this.undos.reverse();
    this.undos = [];
    for (const u of undos) {
      try {
        await u.run();
      } catch (err) {
        log("error", "saga compensation step failed", { step: u.label, ...this.context, ...errorFields(err) });
      }
    }
  }
}
