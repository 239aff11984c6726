import type { Manifest } from '../compiler/compiler.js';
import { UserError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { selectFromManifest } from './manifest-graph.js';
import { parseSelector, type ResourceType, type SelectorCriterion } from './selector.js';

/** Every kind of node a selector can pick. */
const ANY_TYPE: ResourceType[] = ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test', 'analysis', 'exposure'];
/** What a command does with what it selects, where that is not "run". */
const VERB: Record<string, string> = { ls: 'list', compile: 'compile', 'source freshness': 'check' };

/** Selector methods whose result depends on earlier runs' artifacts (--state, target/), not on the project. */
const RUN_STATE_METHOD = /(^|[\s,+@]|\d)(state|result|source_status):/;

/**
 * Whether an empty selection is an answer rather than a mistake: `state:`, `result:` and
 * `source_status:` depend on the run, not on the project (a pull request that changes no
 * node has nothing to build).
 */
export function selectsByRunState(opts: { select: string[]; exclude: string[] }): boolean {
  return [...opts.select, ...opts.exclude].some((s) => RUN_STATE_METHOD.test(s));
}

/**
 * For commands that only read the project (ls, compile --select, source freshness): a
 * `--select` / `--exclude` that picked nothing is a mistake (exit 2, with the closest name),
 * unless it selects by run state (then the command says so and goes on).
 */
export function checkSelectionNotEmpty(manifest: Manifest, picked: Set<string>, opts: { select: string[]; exclude: string[]; types: ResourceType[]; command: string }): void {
  if (picked.size) {
    const unmatched = unmatchedSelectorError(manifest, opts);
    if (unmatched) throw unmatched;
    return;
  }
  if ((!opts.select.length && !opts.exclude.length) || selectsByRunState(opts)) return;
  throw emptySelectionError(manifest, { ...opts, noAllowFlag: true });
}

/**
 * A selection that picked something may still hold a selector that matches no node at all:
 * `--select orders stg_ordrs` or `--exclude stg_ordrs`, a typo that would otherwise be
 * ignored (and, in `--exclude`, run what was meant to be left out). The first such selector
 * (each part of an intersection on its own) as one user error with the closest name;
 * `state:`, `result:` and `source_status:` may match nothing.
 */
export function unmatchedSelectorError(manifest: Manifest, opts: { select: string[]; exclude: string[]; types: ResourceType[] }): UserError | undefined {
  for (const flag of ['select', 'exclude'] as const) {
    for (const arg of opts[flag].flatMap((s) => s.split(/\s+/).filter(Boolean))) {
      for (const part of arg.split(',').filter(Boolean)) {
        if (RUN_STATE_METHOD.test(part)) continue;
        if (selectFromManifest(manifest, { select: [part], exclude: [], types: ANY_TYPE }).size) continue;
        const suggestion = suggest(manifest, part, opts.types);
        return new UserError(`--${flag} '${part}' matches no node`, {}, { hint: suggestion ? `did you mean '${suggestion}'?` : 'tsql ls lists the nodes' });
      }
    }
  }
  return undefined;
}

/**
 * Says why `--select` / `--exclude` left no node for a command to run, as one
 * user error naming the selector: the first selector that matches nothing
 * (with the closest name), or else the exclusion that removed the rest.
 */
export function emptySelectionError(manifest: Manifest, opts: { select: string[]; exclude: string[]; types: ResourceType[]; command: string; noAllowFlag?: boolean }): UserError {
  const kinds = orList(opts.types.filter((t) => t !== 'unit_test'));
  // commands that run nodes take --allow-empty-selection; the others have no such flag to suggest
  const hint = opts.noAllowFlag ? undefined : '--allow-empty-selection runs nothing instead';
  const also = (s: string) => (hint ? `${s}; ${hint}` : s);
  const unmatched = unmatchedSelectorError(manifest, opts);
  if (unmatched) return unmatched;
  const args = opts.select.flatMap((s) => s.split(/\s+/).filter(Boolean));
  for (const arg of args) {
    const anyType = selectFromManifest(manifest, { select: [arg], exclude: [], types: ANY_TYPE });
    if (anyType.size === 0) {
      const suggestion = suggest(manifest, arg, opts.types);
      return new UserError(`--select '${arg}' matches no node`, {}, { hint: suggestion ? `did you mean '${suggestion}'?` : 'tsql ls lists the nodes' });
    }
  }
  if (args.length) {
    const ofType = selectFromManifest(manifest, { select: args, exclude: [], types: opts.types });
    if (ofType.size === 0) {
      return new UserError(`--select '${args.join(' ')}' matches no ${kinds} for tsql ${opts.command}`, {}, { hint: also(`it selects only ${describeTypes(manifest, args)}`) });
    }
  }
  const excludes = opts.exclude.flatMap((s) => s.split(/\s+/).filter(Boolean));
  if (excludes.length) {
    const what = args.length ? ` of --select '${args.join(' ')}'` : '';
    return new UserError(`--exclude '${excludes.join(' ')}' leaves no ${kinds}${what} to ${VERB[opts.command] ?? 'run'}`, {}, { hint });
  }
  return new UserError(`the selection leaves no ${kinds} to ${VERB[opts.command] ?? 'run'}`, {}, { hint });
}

function describeTypes(manifest: Manifest, args: string[]): string {
  const picked = selectFromManifest(manifest, { select: args, exclude: [], types: ANY_TYPE });
  const types = new Set([...picked].map((id) => manifest.nodes.get(id)?.resourceType).filter(Boolean));
  return [...types].map((t) => `${t}s`).join(' and ');
}

/** The closest name to a plain selector (a name, `tag:`, `source:`): the typo people make. */
function suggest(manifest: Manifest, arg: string, types: ResourceType[]): string | undefined {
  let criteria: SelectorCriterion[];
  try {
    criteria = parseSelector(arg).terms.flatMap((t) => t.criteria);
  } catch {
    return undefined;
  }
  if (criteria.length !== 1) return undefined;
  const c = criteria[0];
  if (/[*?]/.test(c.value)) return undefined;
  const nodes = [...manifest.nodes.values()];
  const preferred = nodes.filter((n) => types.includes(n.resourceType as ResourceType));
  let candidates: string[];
  let prefix = '';
  if (c.method === 'fqn') candidates = (preferred.length ? preferred : nodes).map((n) => n.name);
  else if (c.method === 'tag') {
    candidates = nodes.flatMap((n) => n.tags);
    prefix = 'tag:';
  } else if (c.method === 'source') {
    candidates = nodes.flatMap((n) => (n.resourceType === 'source' ? [n.sourceName, `${n.sourceName}.${n.name}`] : []));
    prefix = 'source:';
  } else return undefined;
  const best = closest(c.value, new Set(candidates));
  if (best === undefined) return undefined;
  return arg.replace(`${c.method === 'fqn' ? '' : prefix}${c.value}`, `${prefix}${best}`);
}

/** `seed, model or test` */
function orList(words: string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words.join('');
}
