/**
 * What the run is doing right now, for the live status line: the nodes
 * running, since when, and how far each has got (a seed's rows loaded, an
 * unload's rows written). Plain data, read by the CLI on its own clock; the
 * run only updates it.
 */
export interface NodeProgress {
  uniqueId: string;
  /** short name for the status line: `seed user_purchase`, `unload purchases`, `table orders` */
  label: string;
  startedAt: number;
  /** rows moved so far (seeds: loaded, unloads: written) */
  rows?: number;
  /** what `rows` counts */
  verb?: 'loaded' | 'unloaded';
}

export class RunProgress {
  readonly startedAt = Date.now();
  /** nodes finished (or skipped) so far, of `total` */
  finished = 0;
  private readonly running = new Map<string, NodeProgress>();

  constructor(readonly total: number) {}

  start(uniqueId: string, label: string, verb?: NodeProgress['verb']): void {
    this.running.set(uniqueId, { uniqueId, label, startedAt: Date.now(), verb });
  }

  end(uniqueId: string): void {
    if (this.running.delete(uniqueId)) this.finished++;
  }

  /** A node that will not run (its upstream failed). */
  skipped(): void {
    this.finished++;
  }

  rows(uniqueId: string, rows: number): void {
    const n = this.running.get(uniqueId);
    if (n) n.rows = rows;
  }

  /** The running nodes, oldest first. */
  snapshot(): NodeProgress[] {
    return [...this.running.values()].map((n) => ({ ...n }));
  }
}
