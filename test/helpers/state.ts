/**
 * Production and a pull request, for the suites of --state, --defer and the
 * data diff: production is built and its target/ saved as the PR's
 * prod-artifacts/; `ci` runs the CLI in the PR on the `ci` target.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { CliResult, TempProject } from './project.js';

/** A DuckDB profile: `prod` in `prodDb`, `ci` in ci.duckdb (schema pr) with production attached as `prod`. */
export function prodAndCiDuckProfile(prodDb: string): string {
  return `shop:
  target: prod
  outputs:
    prod:
      type: duckdb
      path: ${prodDb}
      schema: main
      threads: 2
    ci:
      type: duckdb
      path: ci.duckdb
      schema: pr
      threads: 2
      attach:
        - path: ${prodDb}
          alias: prod
`;
}

export function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

export function prodAndPr(
  project: (files: Record<string, string>, opts: { profile: null }) => TempProject,
  files: { prod: Record<string, string>; pr: Record<string, string> },
  profileOf: (prod: TempProject) => string,
  env: { prod: Record<string, string>; ci: Record<string, string> },
): { prod: TempProject; pr: TempProject; ci: (args: string[]) => CliResult } {
  const prod = project(files.prod, { profile: null });
  prod.write({ 'profiles.yml': profileOf(prod) });
  ok(prod.tsql(['build', '--target', 'prod'], env.prod));
  const pr = project({ ...files.prod, 'profiles.yml': profileOf(prod), ...files.pr }, { profile: null });
  cpSync(join(prod.dir, 'target'), join(pr.dir, 'prod-artifacts'), { recursive: true });
  return { prod, pr, ci: (args) => pr.tsql([...args, '--target', 'ci'], env.ci) };
}
