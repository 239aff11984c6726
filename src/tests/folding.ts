import type { Dialect, Relation } from '../adapters/types.js';
import type { TestNode } from '../compiler/nodes.js';
import type { MaterializeContext } from '../materializations/context.js';
import type { TestSettings } from './test-config.js';

/**
 * dbt runs one query per test. Folding answers the tests of one relation that
 * need no join with one query that returns one count per test:
 *   select count_if(a is null) as t0, count_if(s is not null and s not in (…)) as t1, … from rel
 * (`countWhere` is the dialect's fastest form: count_if on DuckDB, sum(case …) elsewhere.)
 * Each test still gets its own result line and count, identical to its own query
 * (the same predicates as the built-in macros; `where` and `limit` applied per test).
 * Whether to fold is the engine's capability (`foldTests`): it pays where every
 * query is a round trip, not on in-process DuckDB (bench/README.md).
 */

/** What a folded expression yields: the test's failure count, or a probe that is 0 exactly when it passes. */
export interface Folded {
  expression: string;
  /** true: the expression is the failure count; false: 0 means no failures, anything else needs the test's own query */
  exact: boolean;
}

/**
 * The aggregate that answers one test in a shared scan, or undefined when it
 * cannot be folded. `accepted_values` counts distinct bad values, which would
 * need a costly distinct aggregate per test: its fold is a probe (bad rows),
 * exact when 0, the common passing case; otherwise the test runs its own query.
 */
export function foldExpression(test: TestNode, settings: TestSettings, dialect: Dialect): Folded | undefined {
  const countWhere = (cond: string) => dialect.countWhere(cond);
  if (!test.builtin || !test.testMetadata || settings.storeFailuresAs || settings.failCalc !== 'count(*)') return undefined;
  const kw = test.testMetadata.kwargs;
  const col = typeof kw.column_name === 'string' ? kw.column_name : undefined;
  const where = typeof test.config.where === 'string' && test.config.where.trim() ? `(${test.config.where}) and ` : '';
  switch (test.testMetadata.name) {
    case 'not_null':
      return col ? { expression: countWhere(`${where}${col} is null`), exact: true } : undefined;
    case 'accepted_values': {
      if (!col || !Array.isArray(kw.values) || !kw.values.length) return undefined;
      const quote = kw.quote !== false;
      const list = kw.values.map((v) => (quote ? dialect.quoteString(String(v)) : String(v))).join(', ');
      return { expression: countWhere(`${where}${col} is not null and ${col} not in (${list})`), exact: false };
    }
    case 'expression_is_true': {
      if (typeof kw.expression !== 'string') return undefined;
      return { expression: countWhere(`${where}not (${col ? `${col} ` : ''}${kw.expression})`), exact: true };
    }
    case 'not_empty':
      return { expression: `case when ${where ? countWhere(`${where}true`) : 'count(*)'} = 0 then 1 else 0 end`, exact: true };
    default:
      return undefined;
  }
}

/** True when `failures` satisfies a normalised threshold like '!= 0' or '> 10'. */
export function meetsThreshold(failures: number, threshold: string): boolean {
  const m = /^(>=|<=|!=|<>|=|>|<) (-?\d+(?:\.\d+)?)$/.exec(threshold);
  if (!m) return false;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>=':
      return failures >= n;
    case '<=':
      return failures <= n;
    case '>':
      return failures > n;
    case '<':
      return failures < n;
    case '=':
      return failures === n;
    default:
      return failures !== n;
  }
}

interface Group {
  relation: Relation;
  members: Array<{ id: string; expression: string; exact: boolean }>;
  result?: Promise<Map<string, number>>;
  /** the test whose step sent the shared scan */
  sentBy?: string;
}

/** Folded groups of one plan: the first member to run executes the shared scan, the rest reuse it. */
export class FoldedTests {
  private readonly groups = new Map<string, Group>();
  private readonly groupOf = new Map<string, Group>();

  add(key: string, relation: Relation, testId: string, folded: Folded): void {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { relation, members: [] }));
    g.members.push({ id: testId, ...folded });
    this.groupOf.set(testId, g);
  }

  /** Drops groups of one (a lone test runs its own query, which also gives the failing rows' SQL in target/run). */
  finish(): void {
    for (const [key, g] of this.groups) {
      if (g.members.length < 2) {
        this.groups.delete(key);
        for (const m of g.members) this.groupOf.delete(m.id);
      }
    }
  }

  has(testId: string): boolean {
    return this.groupOf.has(testId);
  }

  /** The shared scan for a group, as SQL. */
  static scanSql(relation: Relation, members: Array<{ id: string; expression: string }>, dialect: Dialect): string {
    const cols = members.map((m, i) => `  ${m.expression} as ${dialect.quoteIdentifier(`t${i}`)}`).join(',\n');
    return `select\n${cols}\nfrom ${dialect.renderRelation(relation)}`;
  }

  /**
   * Counts a folded test's failures. The first test of a group to run sends the
   * shared scan (and records it in its target/run file); the others record where
   * their count came from.
   */
  /** The test's failure count, or undefined when only its own query can tell (a non-zero probe). */
  async failures(ctx: MaterializeContext, testId: string): Promise<number | undefined> {
    const g = this.groupOf.get(testId)!;
    if (g.sentBy) ctx.record(`-- counted by one scan of ${ctx.dialect.renderRelation(g.relation)} shared by ${g.members.length} tests, sent with test ${g.sentBy.split('.')[2]}`);
    g.result ??= (async () => {
      g.sentBy = testId;
      const sql = FoldedTests.scanSql(g.relation, g.members, ctx.dialect);
      ctx.record(sql);
      const rows = await ctx.query(sql);
      const row = rows[0] ?? {};
      return new Map(g.members.map((m, i) => [m.id, Number(row[`t${i}`] ?? 0)]));
    })();
    const value = (await g.result).get(testId) ?? 0;
    const member = g.members.find((m) => m.id === testId)!;
    return member.exact || value === 0 ? value : undefined;
  }
}
