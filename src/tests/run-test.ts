import type { TestNode } from '../compiler/nodes.js';
import type { NodeStatus } from '../execution/dag-runner.js';
import type { MaterializeContext } from '../materializations/context.js';
import type { TestSettings } from './test-config.js';

export interface TestOutcome {
  status: NodeStatus;
  failures: number;
  message: string;
}

/** The query that turns a test's failing rows into a failure count and the two verdicts. */
export function testVerdictQuery(sql: string, s: TestSettings): string {
  const inner = s.limit !== undefined ? `${sql}\nlimit ${s.limit}` : sql;
  return [
    'select',
    `  ${s.failCalc} as failures,`,
    `  (${s.failCalc}) ${s.warnIf} as should_warn,`,
    `  (${s.failCalc}) ${s.errorIf} as should_error`,
    'from (',
    inner,
    ') as tsql_test',
  ].join('\n');
}

/** error severity: fail when error_if holds, else warn when warn_if holds; warn severity never fails. */
export function verdict(failures: number, shouldWarn: boolean, shouldError: boolean, s: TestSettings): TestOutcome {
  if (s.severity === 'error' && shouldError) return { status: 'fail', failures, message: `Got ${failures} result${failures === 1 ? '' : 's'}, configured to fail if ${s.errorIf}` };
  if (shouldWarn) return { status: 'warn', failures, message: `Got ${failures} result${failures === 1 ? '' : 's'}, configured to warn if ${s.warnIf}` };
  return { status: 'pass', failures, message: 'PASS' };
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true' || v === 't';
}

/**
 * Runs one test: counts its failing rows under the configured thresholds,
 * and with store_failures (or store_failures_as: table | view) keeps the
 * failing rows in <schema>_tsql_test__audit (replaced each run).
 */
export async function runTest(ctx: MaterializeContext, test: TestNode, s: TestSettings, auditSchema: { database?: string; schema: string }): Promise<TestOutcome> {
  const sql = test.compiledCode ?? '';
  const query = testVerdictQuery(sql, s);
  ctx.record(query);
  const rows = await ctx.query(query);
  const r = rows[0] ?? {};
  const failures = Number(r.failures ?? 0);
  const outcome = verdict(failures, truthy(r.should_warn), truthy(r.should_error), s);
  if (s.storeFailuresAs) await storeFailures(ctx, test, s.storeFailuresAs, auditSchema);
  return outcome;
}

/**
 * Keeps a test's failing rows in the audit schema, replacing what an earlier
 * run kept there: a table of the rows now, or (`view`) a view of its query,
 * which shows the failures whenever it is read.
 */
async function storeFailures(ctx: MaterializeContext, test: TestNode, as: 'table' | 'view', auditSchema: { database?: string; schema: string }): Promise<void> {
  const d = ctx.dialect;
  const sql = test.compiledCode ?? '';
  const rel = { database: auditSchema.database, schema: auditSchema.schema, identifier: (test.alias ?? test.name).slice(0, d.capabilities.maxIdentifierLength) };
  await ctx.run(d.createSchema(rel.database, rel.schema));
  const kind = ctx.existing(rel);
  await ctx.run(d.dropRelation(rel, kind === 'view' || kind === 'table' ? kind : as));
  await ctx.run(as === 'view' ? d.createView(rel, sql) : d.createTableAs(rel, sql));
  ctx.markExisting(rel, as);
}
