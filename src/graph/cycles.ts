/**
 * Finds one cycle in a directed graph (parents map), or undefined.
 * Iterative DFS with colours, so very deep graphs do not overflow the stack.
 * Returns the cycle as node ids with the first repeated at the end.
 */
export function findCycle(parents: Map<string, Set<string>>): string[] | undefined {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Map<string, number>();
  for (const start of parents.keys()) {
    if ((colour.get(start) ?? WHITE) !== WHITE) continue;
    const path: string[] = [];
    const iters: Array<Iterator<string>> = [];
    colour.set(start, GREY);
    path.push(start);
    iters.push((parents.get(start) ?? new Set<string>()).values());
    while (path.length) {
      const next = iters[iters.length - 1].next();
      if (next.done) {
        colour.set(path.pop()!, BLACK);
        iters.pop();
        continue;
      }
      const p = next.value;
      const c = colour.get(p) ?? WHITE;
      if (c === GREY) {
        const cycle = path.slice(path.indexOf(p));
        return [...cycle, p].reverse();
      }
      if (c === WHITE && parents.has(p)) {
        colour.set(p, GREY);
        path.push(p);
        iters.push(parents.get(p)!.values());
      }
    }
  }
  return undefined;
}
