import type { Manifest } from '../compiler/compiler.js';
import { UserError } from '../errors.js';
import { closest } from '../util/suggest.js';
import { selectFromManifest } from './manifest-graph.js';
import { parseSelector, type ResourceType, type SelectorCriterion } from './selector.js';

/**
 * Says why `--select` / `--exclude` left no node for a command to run, as one
 * user error naming the selector: the first selector that matches nothing
 * (with the closest name), or else the exclusion that removed the rest.
 */
export function emptySelectionError(manifest: Manifest, opts: { select: string[]; exclude: string[]; types: ResourceType[]; command: string }): UserError {
  const kinds = orList(opts.types.filter((t) => t !== 'unit_test'));
  const hint = '--allow-empty-selection runs nothing instead';
  const args = opts.select.flatMap((s) => s.split(/\s+/).filter(Boolean));
  for (const arg of args) {
    const anyType = selectFromManifest(manifest, { select: [arg], exclude: [], types: ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test'] });
    if (anyType.size === 0) {
      const suggestion = suggest(manifest, arg, opts.types);
      return new UserError(`--select '${arg}' matches no node`, {}, { hint: suggestion ? `did you mean '${suggestion}'?` : 'tsql ls lists the nodes' });
    }
  }
  if (args.length) {
    const ofType = selectFromManifest(manifest, { select: args, exclude: [], types: opts.types });
    if (ofType.size === 0) {
      return new UserError(`--select '${args.join(' ')}' matches no ${kinds} for tsql ${opts.command}`, {}, { hint: `it selects only ${describeTypes(manifest, args)}; ${hint}` });
    }
  }
  const excludes = opts.exclude.flatMap((s) => s.split(/\s+/).filter(Boolean));
  if (excludes.length) {
    const what = args.length ? ` of --select '${args.join(' ')}'` : '';
    return new UserError(`--exclude '${excludes.join(' ')}' leaves no ${kinds}${what} to run`, {}, { hint });
  }
  return new UserError(`the selection leaves no ${kinds} to run`, {}, { hint });
}

function describeTypes(manifest: Manifest, args: string[]): string {
  const picked = selectFromManifest(manifest, { select: args, exclude: [], types: ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test'] });
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
