/**
 * `state:` comparison of this project against production's manifest
 * (--state), and `result:` / `source_status:` from its run_results.json and
 * sources.json. What counts as modified (also in the README):
 *  - body: the raw file's checksum (models, seeds, singular tests), or the
 *    YAML definition's (sources, generic and unit tests);
 *  - configs: the config as written (unrendered_config), so an env_var(),
 *    target.* or var() that renders differently is not a change;
 *  - relation: database, schema or alias as written;
 *  - macros: a project macro it calls, directly or through other macros, changed;
 *  - contract: the contract config, or, when a contract is enforced, a column's data_type;
 *  - new: not in the state manifest (part of `modified`).
 */
import type { Manifest } from '../compiler/compiler.js';
import { canonicalJson } from '../compiler/definition.js';
import { MacroIndex } from '../compiler/macro-deps.js';
import type { ManifestNode } from '../compiler/nodes.js';
import type { FreshnessResult, StateArtifacts, StateNode } from './state-load.js';
import type { SelectionState } from './selector.js';

type StateValue = 'modified' | 'modified.body' | 'modified.configs' | 'modified.relation' | 'modified.macros' | 'modified.contract' | 'new' | 'old' | 'unmodified';

type Check = 'body' | 'configs' | 'relation' | 'macros' | 'contract';
const RELATION_KEYS = ['database', 'schema', 'alias'];

interface Facts {
  checksum: string;
  config: Record<string, unknown>;
  macros: string[];
  columns: Record<string, string | null>;
}

/** Config keys that only document a node: a change to them is not a modification. */
const DOC_KEYS = ['meta', 'docs', 'description'];

function withoutDocs(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !DOC_KEYS.includes(k)));
}

function currentFacts(n: ManifestNode): Facts {
  return {
    checksum: n.checksum,
    config: withoutDocs(n.unrenderedConfig),
    macros: n.dependsOn.macros,
    columns: Object.fromEntries(Object.entries(n.columns).map(([k, c]) => [k, c.dataType?.toLowerCase() ?? null])),
  };
}

function stateFacts(n: StateNode): Facts {
  return {
    checksum: n.checksum?.checksum ?? '',
    config: withoutDocs(n.unrendered_config ?? {}),
    macros: n.depends_on?.macros ?? [],
    columns: Object.fromEntries(Object.entries(n.columns ?? {}).map(([k, c]) => [k, (c.dataType ?? c.data_type)?.toLowerCase() ?? null])),
  };
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function enforced(config: Record<string, unknown>): boolean {
  const c = config.contract;
  return !!c && typeof c === 'object' && (c as Record<string, unknown>).enforced === true;
}

/** Everything the selector needs to evaluate `state:`, `result:` and `source_status:` over this manifest. */
export function selectionState(manifest: Manifest, state: StateArtifacts, currentFreshness?: Map<string, FreshnessResult>): SelectionState {
  const index = new MacroIndex(manifest.macros, manifest.projectName);
  const macroById = index.byId;
  const changedMacro = new Map<string, boolean>();
  /** A project macro changed (or is new), itself or any macro it calls. */
  const macroChanged = (id: string, seen = new Set<string>()): boolean => {
    const known = changedMacro.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return false;
    seen.add(id);
    const m = macroById.get(id);
    let changed = false;
    if (m && !m.builtin) {
      const before = state.macros.get(id);
      changed = before === undefined || before !== m.checksum;
      if (!changed) changed = m.calls.some((c) => {
        const called = index.resolve(c, m.pkg);
        return called !== undefined && macroChanged(index.id(called), seen);
      });
    }
    changedMacro.set(id, changed);
    return changed;
  };

  const checks = new Map<string, Set<Check>>();
  const checksOf = (id: string): Set<Check> | undefined => {
    if (checks.has(id)) return checks.get(id);
    const n = manifest.nodes.get(id);
    const before = state.nodes.get(id);
    if (!n || !before) return undefined;
    const now = currentFacts(n);
    const then = stateFacts(before);
    const out = new Set<Check>();
    if (now.checksum !== then.checksum) out.add('body');
    if (!same(now.config, then.config)) out.add('configs');
    if (RELATION_KEYS.some((k) => !same(now.config[k], then.config[k]))) out.add('relation');
    const goneMacro = then.macros.some((m) => !m.startsWith('macro.tsql.') && !macroById.has(m));
    if (goneMacro || now.macros.some((m) => macroChanged(m))) out.add('macros');
    const contract = enforced(now.config) || enforced(then.config);
    if (!same(now.config.contract, then.config.contract) || (contract && !same(now.columns, then.columns))) out.add('contract');
    checks.set(id, out);
    return out;
  };

  const freshness = currentFreshness;
  return {
    matches(method, value, id) {
      if (method === 'state') {
        const c = checksOf(id);
        const isNew = !state.nodes.has(id);
        switch (value as StateValue) {
          case 'new':
            return isNew;
          case 'old':
            return !isNew;
          case 'modified':
            return isNew || (c !== undefined && c.size > 0);
          case 'unmodified':
            return !isNew && c !== undefined && c.size === 0;
          default:
            return c !== undefined && c.has(value.slice('modified.'.length) as Check);
        }
      }
      if (method === 'result') return state.results?.get(id) === value;
      // source_status:fresher: the newest row here is newer than in the state's sources.json (or it has none).
      const now = freshness?.get(id);
      if (!now || now.maxLoadedAt === null || now.status === 'runtime error') return false;
      const then = state.freshness?.get(id);
      if (!then || then.maxLoadedAt === null) return true;
      return Date.parse(now.maxLoadedAt) > Date.parse(then.maxLoadedAt);
    },
  };
}
