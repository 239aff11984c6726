/**
 * dbt's package version constraints: exact versions ("1.2.3", "=1.2.3") and
 * comparisons (">=1.0.0", "<2.0.0"), several of which must all hold.
 */
export type Semver = [number, number, number, string];

export function parseSemver(v: string): Semver | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? ''] : undefined;
}

export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  if (a[3] === b[3]) return 0;
  if (!a[3]) return 1; // a release sorts after its prereleases
  if (!b[3]) return -1;
  return a[3] < b[3] ? -1 : 1;
}

interface Constraint {
  op: '=' | '>' | '>=' | '<' | '<=';
  version: Semver;
}

/** The constraints of `version:` (a string or list; commas split one string); undefined entries are not understood. */
export function parseConstraints(version: string[]): { constraints: Constraint[]; bad?: string } {
  const constraints: Constraint[] = [];
  for (const part of version.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const m = /^(>=|<=|>|<|=|==)?\s*(.+)$/.exec(part)!;
    const sv = parseSemver(m[2]);
    if (!sv) return { constraints, bad: part };
    constraints.push({ op: (m[1] === '==' ? '=' : (m[1] ?? '=')) as Constraint['op'], version: sv });
  }
  return { constraints };
}

function holds(c: Constraint, v: Semver): boolean {
  const d = compareSemver(v, c.version);
  switch (c.op) {
    case '=': return d === 0;
    case '>': return d > 0;
    case '>=': return d >= 0;
    case '<': return d < 0;
    case '<=': return d <= 0;
  }
}

/** The newest of `available` meeting every constraint (prereleases only when asked for, or named exactly). */
export function newestMatching(available: string[], constraints: Constraint[], prerelease = false): string | undefined {
  let best: { raw: string; v: Semver } | undefined;
  for (const raw of available) {
    const v = parseSemver(raw);
    if (!v) continue;
    if (v[3] && !prerelease && !constraints.some((c) => c.op === '=' && compareSemver(c.version, v) === 0)) continue;
    if (!constraints.every((c) => holds(c, v))) continue;
    if (!best || compareSemver(v, best.v) > 0) best = { raw, v };
  }
  return best?.raw;
}
