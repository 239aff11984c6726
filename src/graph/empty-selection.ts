import type { Manifest } from '../compiler/compiler.js';
import { UserError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { selectFromManifest } from './manifest-graph.js';
import { parseSelector, STATE_METHODS, type ResourceType, type SelectionSpec, type SelectorCriterion } from './selector.js';
import { SELECTORS_FILE, type ChosenSelector } from './yaml-selectors.js';

/** What a command line asked to select: --select / --exclude, or a YAML selector. */
export interface SelectionArgs {
  select: string[];
  exclude: string[];
  /** --selector NAME, or selectors.yml's default selector */
  selector?: ChosenSelector;
}

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
export function selectsByRunState(opts: SelectionArgs): boolean {
  if (opts.selector && criteriaOf(opts.selector.spec, true).some((c) => STATE_METHODS.has(c.method))) return true;
  return [...opts.select, ...opts.exclude].some((s) => RUN_STATE_METHOD.test(s));
}

/** Whether the command line (or selectors.yml's default) chose a selection at all. */
export function selectionGiven(opts: SelectionArgs): boolean {
  return opts.select.length > 0 || opts.exclude.length > 0 || opts.selector !== undefined;
}

/** The selection as the user gave it, for messages: `--select 'a' --exclude 'b'`, `--selector 'x'`. */
export function describeSelection(opts: SelectionArgs): string {
  if (opts.selector) return opts.selector.isDefault ? `the default selector '${opts.selector.name}' of ${SELECTORS_FILE}` : `--selector '${opts.selector.name}'`;
  return [...opts.select.map((s) => `--select '${s}'`), ...opts.exclude.map((s) => `--exclude '${s}'`)].join(' ');
}

/**
 * Why an empty selection is a mistake, or undefined when it is an answer: nothing was
 * asked for, the selection is by run state, or selectors.yml's default selector picks
 * nodes of other kinds than the command's (`tsql seed` with a default that holds models).
 */
export function emptySelectionMistake(manifest: Manifest, opts: SelectionArgs & { types: ResourceType[]; command: string; noAllowFlag?: boolean }): UserError | undefined {
  if (!selectionGiven(opts) || selectsByRunState(opts)) return undefined;
  if (opts.selector && opts.selector.isDefault && selectFromManifest(manifest, { select: [], exclude: [], selector: opts.selector, types: ANY_TYPE }).size) return undefined;
  return emptySelectionError(manifest, opts);
}

/**
 * For commands that only read the project (ls, compile --select, source freshness): a
 * `--select` / `--exclude` that picked nothing is a mistake (exit 2, with the closest name),
 * unless it selects by run state (then the command says so and goes on).
 */
export function checkSelectionNotEmpty(manifest: Manifest, picked: Set<string>, opts: SelectionArgs & { types: ResourceType[]; command: string }): void {
  if (picked.size) {
    const unmatched = unmatchedSelectorError(manifest, opts);
    if (unmatched) throw unmatched;
    return;
  }
  const mistake = emptySelectionMistake(manifest, { ...opts, noAllowFlag: true });
  if (mistake) throw mistake;
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
export function emptySelectionError(manifest: Manifest, opts: SelectionArgs & { types: ResourceType[]; command: string; noAllowFlag?: boolean }): UserError {
  const kinds = orList(opts.types.filter((t) => t !== 'unit_test'));
  // commands that run nodes take --allow-empty-selection; the others have no such flag to suggest
  const hint = opts.noAllowFlag ? undefined : '--allow-empty-selection runs nothing instead';
  const also = (s: string) => (hint ? `${s}; ${hint}` : s);
  if (opts.selector) return emptySelectorError(manifest, opts.selector, { kinds, types: opts.types, command: opts.command, hint });
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

/**
 * Why a YAML selector left nothing for the command, naming its definition in selectors.yml:
 * the first criterion that matches no node (with the closest name), or the kinds of node it
 * does select, or else that its intersection or exclusion leaves nothing.
 */
function emptySelectorError(manifest: Manifest, selector: ChosenSelector, opts: { kinds: string; types: ResourceType[]; command: string; hint?: string }): UserError {
  const place = { file: SELECTORS_FILE, line: selector.line };
  const label = selector.isDefault ? `the default selector '${selector.name}'` : `--selector '${selector.name}'`;
  const also = (s: string) => (opts.hint ? `${s}; ${opts.hint}` : s);
  const verb = VERB[opts.command] ?? 'run';
  const anyType = selectFromManifest(manifest, { select: [], exclude: [], selector, types: ANY_TYPE });
  if (anyType.size === 0) {
    for (const c of criteriaOf(selector.spec, false)) {
      if (STATE_METHODS.has(c.method) || selectFromManifest(manifest, { select: [], exclude: [], selector: { spec: { kind: 'criterion', criterion: c } }, types: ANY_TYPE }).size) continue;
      const suggestion = suggest(manifest, c.raw, opts.types);
      return new UserError(`${label}: '${c.raw}' matches no node`, place, { hint: suggestion ? `did you mean '${suggestion}'?` : 'tsql ls lists the nodes' });
    }
    return new UserError(`${label} selects no node: its intersection or exclusion leaves nothing to ${verb}`, place, { hint: opts.hint });
  }
  return new UserError(`${label} matches no ${opts.kinds} for tsql ${opts.command}`, place, { hint: also(`it selects only ${typesOf(manifest, anyType)}`) });
}

/** The criteria of a selection spec; `withExcluded: false` leaves out what a difference removes. */
function criteriaOf(spec: SelectionSpec, withExcluded: boolean): SelectorCriterion[] {
  if (spec.kind === 'criterion') return [spec.criterion];
  const parts = spec.kind === 'difference' && !withExcluded ? spec.parts.slice(0, 1) : spec.parts;
  return parts.flatMap((p) => criteriaOf(p, withExcluded));
}

function describeTypes(manifest: Manifest, args: string[]): string {
  return typesOf(manifest, selectFromManifest(manifest, { select: args, exclude: [], types: ANY_TYPE }));
}

function typesOf(manifest: Manifest, picked: Set<string>): string {
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
