/** `partial success`: some batches of a microbatch model failed, the others are in its table (dbt's PartialSuccess). */
export type NodeStatus = 'success' | 'error' | 'skipped' | 'warn' | 'pass' | 'fail' | 'partial success';

export interface DagTask {
  id: string;
  /** ids of tasks (in this run) that must finish successfully first */
  deps: string[];
}

export interface TaskOutcome {
  status: NodeStatus;
  message?: string;
}

export interface DagRunOptions<T extends DagTask> {
  threads: number;
  failFast: boolean;
  run(task: T): Promise<TaskOutcome>;
  /** Called for a task that will not run because an upstream failed (or fail-fast stopped the run). */
  onSkip(task: T, reason: string): void;
  /** Asked before each task starts: true stops the run there (Ctrl-C); the rest is skipped with `stopReason`. */
  shouldStop?: () => boolean;
  stopReason?: string;
}

/** Failures skip descendants: an error, a failed test, a microbatch model some of whose batches failed (its table is incomplete). */
export function isFailure(s: string): boolean {
  return s === 'error' || s === 'fail' || s === 'partial success';
}

/**
 * Runs tasks as soon as their dependencies succeed, at most `threads` at a time.
 * When several are ready, the one with the most downstream work goes first.
 * A failure skips every descendant and the rest goes on; with failFast nothing
 * new starts after the first failure.
 */
export async function runDag<T extends DagTask>(tasks: T[], opts: DagRunOptions<T>): Promise<Map<string, TaskOutcome>> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const t of tasks) {
    const deps = t.deps.filter((d) => byId.has(d));
    waiting.set(t.id, deps.length);
    for (const d of deps) {
      let c = children.get(d);
      if (!c) children.set(d, (c = []));
      c.push(t.id);
    }
  }
  const weight = downstreamWeights(tasks, children);
  const results = new Map<string, TaskOutcome>();
  const ready: string[] = tasks.filter((t) => waiting.get(t.id) === 0).map((t) => t.id);
  let running = 0;
  let stopped = false;
  let stopReason: string | undefined;
  let firstFailure: string | undefined;

  const skipDescendants = (id: string, reason: string) => {
    const stack = [...(children.get(id) ?? [])];
    while (stack.length) {
      const c = stack.pop()!;
      if (results.has(c)) continue;
      results.set(c, { status: 'skipped', message: reason });
      opts.onSkip(byId.get(c)!, reason);
      stack.push(...(children.get(c) ?? []));
    }
  };

  await new Promise<void>((resolveAll) => {
    const pump = () => {
      if (!stopped && opts.shouldStop?.()) {
        stopped = true;
        stopReason = opts.stopReason ?? 'not run: the run was stopped';
      }
      if (stopped) ready.length = 0;
      ready.sort((a, b) => weight.get(b)! - weight.get(a)! || (a < b ? -1 : 1));
      while (running < Math.max(1, opts.threads) && ready.length) {
        const id = ready.shift()!;
        if (results.has(id)) continue;
        running++;
        const task = byId.get(id)!;
        opts
          .run(task)
          .catch((e: unknown): TaskOutcome => ({ status: 'error', message: e instanceof Error ? e.message : String(e) }))
          .then((outcome) => {
            running--;
            results.set(id, outcome);
            if (isFailure(outcome.status)) {
              firstFailure ??= id;
              skipDescendants(id, `upstream ${id} failed`);
              if (opts.failFast) stopped = true;
            } else {
              for (const c of children.get(id) ?? []) {
                const left = waiting.get(c)! - 1;
                waiting.set(c, left);
                if (left === 0 && !results.has(c)) ready.push(c);
              }
            }
            pump();
          });
      }
      if (running === 0 && (ready.length === 0 || stopped)) resolveAll();
    };
    pump();
  });

  if (stopped) {
    for (const t of tasks) {
      if (!results.has(t.id)) {
        const reason = stopReason ?? `not run: --fail-fast after ${firstFailure} failed`;
        results.set(t.id, { status: 'skipped', message: reason });
        opts.onSkip(t, reason);
      }
    }
  }
  return results;
}

/** Length of the longest chain of tasks below each task (its critical path): the priority. */
function downstreamWeights(tasks: DagTask[], children: Map<string, string[]>): Map<string, number> {
  const weights = new Map<string, number>();
  // Iterative post-order to avoid deep recursion on long chains.
  for (const t of tasks) {
    if (weights.has(t.id)) continue;
    const stack: Array<[string, boolean]> = [[t.id, false]];
    while (stack.length) {
      const [id, expanded] = stack.pop()!;
      if (weights.has(id)) continue;
      const kids = children.get(id) ?? [];
      if (!expanded) {
        stack.push([id, true]);
        for (const k of kids) if (!weights.has(k)) stack.push([k, false]);
      } else {
        let w = 0;
        for (const k of kids) w = Math.max(w, 1 + (weights.get(k) ?? 0));
        weights.set(id, w);
      }
    }
  }
  return weights;
}
