import type { Dialect } from '../adapters/types.js';
import type { Manifest } from '../compiler/compiler.js';
import type { ModelNode, SeedNode, SnapshotNode, SourceNode, TestNode, UnitTestNode } from '../compiler/nodes.js';
import { testSettings, type TestSettings } from '../tests/test-config.js';
import { FoldedTests, foldExpression } from '../tests/folding.js';
import { ErrorCollector, UserError } from '../errors.js';
import type { DagTask } from '../execution/dag-runner.js';
import { strategyOf, uniqueKeyOf } from '../materializations/incremental.js';
import { prepareSeed, type PreparedSeed } from '../materializations/seed.js';
import { externalOutsideLake, unloadOutsideLake } from './lake-locations.js';

export interface PlanStep extends DagTask {
  node: ModelNode | SeedNode | SourceNode | TestNode | UnitTestNode | SnapshotNode;
  materialization: string;
  seed?: PreparedSeed;
  test?: TestSettings;
  /** a unit test's model: the shape of its `this` input while the model's table does not exist */
  model?: ModelNode;
}

export interface Plan {
  steps: PlanStep[];
  /** tests that share one scan of their relation (see tests/folding.ts) */
  folded: FoldedTests;
  /** Every schema the steps write to, created before the first step runs. */
  schemas: PlanSchema[];
}

export interface PlanSchema {
  database?: string;
  schema: string;
  connection?: string;
  /** only external sources live there (engines with native external tables create such schemas themselves) */
  externalOnly: boolean;
}

/** What a command executes: models, seeds, snapshots, and external sources (staged before their readers). */
export type ExecutableType = 'model' | 'seed' | 'external' | 'test' | 'snapshot';

/**
 * Turns the selected part of the manifest into steps that carry everything
 * they need to run. All validation that can fail on the user's input happens
 * here, so a bad project stops before anything touches the warehouse.
 */
export function buildPlan(
  manifest: Manifest,
  selected: Set<string>,
  opts: {
    types: ExecutableType[];
    /** the engine a node runs on (its connection's) */
    dialectOf: (node: { connection?: string }) => Dialect;
    /** --fold-tests / --no-fold-tests; undefined: each engine's default */
    foldTests?: boolean;
    /** the lake root of a node's connection: unload and external locations must stay below it */
    lakeRootOf?: (node: { connection?: string }) => string;
  },
): Plan {
  const errors = new ErrorCollector();
  const chosen = chooseExecutables(manifest, selected, opts.types);
  const isExecutable = (id: string) => chosen.has(id);
  const steps: PlanStep[] = [];
  const schemas = new Map<string, PlanSchema>();
  for (const id of chosen) {
    const node = manifest.nodes.get(id) as PlanStep['node'];
    if (node.resourceType === 'unit_test') {
      // Its inputs are literal rows; in a build it still waits for the model's upstream
      // nodes so that, where they exist, the rows are typed like the real inputs.
      const model = manifest.nodes.get(node.model);
      steps.push({ id, deps: nearestExecutableAncestors(node.model, manifest, isExecutable), node, materialization: 'unit_test', ...(model?.resourceType === 'model' ? { model } : {}) });
      continue;
    }
    const materialization = node.resourceType === 'seed' ? 'seed' : node.resourceType === 'source' ? 'external' : node.resourceType === 'test' ? 'test' : node.materialized;
    const step: PlanStep = { id, deps: nearestExecutableAncestors(id, manifest, isExecutable), node, materialization };
    if (node.resourceType === 'test') {
      const settings = errors.guard(() => testSettings(node));
      if (settings) step.test = settings;
      steps.push(step);
      continue;
    } else if (node.resourceType === 'seed') {
      const seed = errors.guard(() => prepareSeed(node, opts.dialectOf(node)));
      if (seed) step.seed = seed;
    } else if (node.resourceType === 'model' && node.materialized === 'incremental') {
      const strategy = strategyOf(node);
      if ((strategy === 'delete+insert' || strategy === 'merge') && !uniqueKeyOf(node).length) {
        errors.add(new UserError(`incremental model '${node.name}' uses the '${strategy}' strategy but sets no unique_key`, { file: node.originalFilePath }, { hint: `add unique_key='…' to its config, or use incremental_strategy='append'` }));
      }
    }
    if (opts.lakeRootOf && node.resourceType === 'model' && materialization === 'unload') {
      const err = unloadOutsideLake(node, opts.lakeRootOf(node));
      if (err) errors.add(err);
    } else if (opts.lakeRootOf && node.resourceType === 'source') {
      const err = externalOutsideLake(node, opts.lakeRootOf(node));
      if (err) errors.add(err);
    }
    const rel = node.relation;
    if (materialization !== 'unload') {
      const key = `${node.connection ?? ''}|${rel.database ?? ''}.${rel.schema}`.toLowerCase();
      const externalOnly = (schemas.get(key)?.externalOnly ?? true) && materialization === 'external';
      schemas.set(key, { database: rel.database, schema: rel.schema, connection: node.connection, externalOnly });
    }
    steps.push(step);
  }
  errors.throwIfAny();
  steps.sort((a, b) => (a.id < b.id ? -1 : 1));
  if (opts.types.includes('test')) blockOnTests(steps, manifest);
  // In a build, a model is built only after its unit tests pass.
  const stepById = new Map(steps.map((st) => [st.id, st]));
  for (const st of steps) {
    if (st.node.resourceType !== 'unit_test') continue;
    const model = stepById.get(st.node.model);
    if (model) model.deps = [...model.deps, st.id];
  }
  const folded = new FoldedTests();
  for (const step of steps) {
    if (step.node.resourceType !== 'test' || !step.test) continue;
    const dialect = opts.dialectOf(step.node);
    if (!(opts.foldTests ?? dialect.capabilities.foldTests)) continue;
    const attached = step.node.attachedNode ? manifest.nodes.get(step.node.attachedNode) : undefined;
    if (!attached || !('relation' in attached)) continue;
    const f = foldExpression(step.node, step.test, dialect);
    if (f) folded.add(`${step.node.connection ?? ''}|${dialect.renderRelation(attached.relation)}`, attached.relation, step.id, f);
  }
  folded.finish();
  return { steps, schemas: [...schemas.values()], folded };
}

/**
 * In a build, a node waits for the tests of the nodes it reads, so a failing
 * test (error severity) skips everything downstream, as in dbt build. A test
 * with several parents (relationships) only blocks nodes downstream of all of them.
 */
function blockOnTests(steps: PlanStep[], manifest: Manifest): void {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const tests = steps.filter((s) => s.node.resourceType === 'test');
  const testsByParent = new Map<string, PlanStep[]>();
  // a test whose one node is not run (a retry, a selection of the test and a reader) still blocks that node's readers
  const testsOfUnrun = new Map<string, PlanStep[]>();
  for (const t of tests) {
    for (const p of t.deps) {
      let list = testsByParent.get(p);
      if (!list) testsByParent.set(p, (list = []));
      list.push(t);
    }
    const tested = [...(manifest.parents.get(t.id) ?? [])];
    if (tested.length === 1 && !byId.has(tested[0])) testsOfUnrun.set(tested[0], [...(testsOfUnrun.get(tested[0]) ?? []), t]);
  }
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string): Set<string> => {
    let known = ancestors.get(id);
    if (known) return known;
    known = new Set<string>();
    ancestors.set(id, known);
    const stack = [...(byId.get(id)?.deps ?? [])];
    while (stack.length) {
      const d = stack.pop()!;
      if (known.has(d)) continue;
      known.add(d);
      stack.push(...(byId.get(d)?.deps ?? []));
    }
    return known;
  };
  for (const s of steps) {
    if (s.node.resourceType === 'test') continue;
    const extra = new Set<string>();
    for (const d of s.deps) {
      for (const t of testsByParent.get(d) ?? []) {
        // a test of `d` alone blocks every reader of `d`; one with more parents needs them all upstream
        if (t.deps.length === 1 || t.deps.every((p) => ancestorsOf(s.id).has(p))) extra.add(t.id);
      }
    }
    for (const p of manifest.parents.get(s.id) ?? []) for (const t of testsOfUnrun.get(p) ?? []) extra.add(t.id);
    if (extra.size) s.deps = [...s.deps, ...extra];
  }
}

/**
 * The nodes to execute: selected models (not ephemeral), seeds and snapshots,
 * selected external sources, and, when models or snapshots run, every external
 * source upstream of them: nothing reads an external table that was not staged.
 */
function chooseExecutables(manifest: Manifest, selected: Set<string>, types: ExecutableType[]): Set<string> {
  const chosen = new Set<string>();
  const isExternal = (id: string) => {
    const n = manifest.nodes.get(id);
    return n?.resourceType === 'source' && !!n.external;
  };
  for (const id of selected) {
    const n = manifest.nodes.get(id);
    if (!n) continue;
    if (n.resourceType === 'model' && types.includes('model') && n.materialized !== 'ephemeral') chosen.add(id);
    else if (n.resourceType === 'seed' && types.includes('seed')) chosen.add(id);
    else if (n.resourceType === 'snapshot' && types.includes('snapshot')) chosen.add(id);
    else if (isExternal(id) && types.includes('external')) chosen.add(id);
    else if ((n.resourceType === 'test' || n.resourceType === 'unit_test') && types.includes('test')) chosen.add(id);
  }
  if (types.includes('external') && (types.includes('model') || types.includes('snapshot'))) {
    const stack = [...chosen];
    const seen = new Set<string>();
    while (stack.length) {
      const id = stack.pop()!;
      for (const p of manifest.parents.get(id) ?? []) {
        if (seen.has(p)) continue;
        seen.add(p);
        if (isExternal(p)) chosen.add(p);
        else stack.push(p);
      }
    }
  }
  return chosen;
}

/** Dependencies among executable nodes, looking through ephemeral models, sources and unselected nodes. */
function nearestExecutableAncestors(id: string, manifest: Manifest, isExecutable: (id: string) => boolean): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [...(manifest.parents.get(id) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    if (isExecutable(p)) out.add(p);
    else stack.push(...(manifest.parents.get(p) ?? []));
  }
  return [...out];
}
