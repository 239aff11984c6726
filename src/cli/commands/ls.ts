import { UserError } from '../../errors.js';
import { nodeJson } from '../../artifacts/write.js';
import type { Dialect } from '../../adapters/types.js';
import type { Manifest } from '../../compiler/compiler.js';
import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import { checkSelectionNotEmpty } from '../../graph/empty-selection.js';
import { RESOURCE_TYPES, type ResourceType } from '../../graph/selector.js';
import { scrubSecrets } from '../../util/secrets.js';
import { didYouMean } from '../../util/suggest.js';
import type { ParsedOptions } from '../options.js';
import { closeSession, openSession } from '../session.js';

const OUTPUTS = ['selector', 'name', 'path', 'json'];
const LISTABLE: ResourceType[] = ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test', 'analysis', 'exposure'];
/** The keys `--output json` prints without --output-keys: dbt's ls keys (a node has those of its kind). */
const DEFAULT_JSON_KEYS = ['name', 'resource_type', 'package_name', 'source_name', 'original_file_path', 'unique_id', 'alias', 'config', 'tags', 'depends_on'];

export interface LsArgs {
  resourceType?: string[];
  output?: string;
  /** --output-keys: keys of each node's JSON, space- or comma-separated */
  outputKeys?: string[];
}

export interface LsChoice {
  types: ResourceType[];
  output: string;
  outputKeys?: string[];
}

/** Checks ls's own options before anything is loaded: a mistake is exit 2. */
export function checkLsOptions(args: LsArgs): LsChoice {
  const out = args.output ?? 'selector';
  if (!OUTPUTS.includes(out)) throw new UserError(`--output must be one of ${OUTPUTS.join(', ')}, got '${out}'`, {}, { hint: didYouMean(out, OUTPUTS) });
  const types: ResourceType[] = [];
  for (const t of words(args.resourceType)) {
    if (t === 'all') types.push(...LISTABLE);
    else if (!(RESOURCE_TYPES as readonly string[]).includes(t)) throw new UserError(`unknown --resource-type '${t}'`, {}, { hint: didYouMean(t, [...RESOURCE_TYPES, 'all']) ?? `use one of ${LISTABLE.join(', ')}` });
    else types.push(t as ResourceType);
  }
  let outputKeys: string[] | undefined;
  if (args.outputKeys !== undefined) {
    if (out !== 'json') throw new UserError(`--output-keys chooses the keys of --output json, not of --output ${out}`, {}, { hint: 'e.g. tsql ls --output json --output-keys name,resource_type' });
    outputKeys = [...new Set(words(args.outputKeys))];
    if (!outputKeys.length) throw new UserError('--output-keys takes key names', {}, { hint: 'e.g. --output-keys name,resource_type,original_file_path' });
  }
  return { types: types.length ? [...new Set(types)] : LISTABLE, output: out, outputKeys };
}

/** `a,b c` given once or repeated: the words. */
function words(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}

/** `tsql ls`: the selected nodes, one per line (or JSON lines). */
export async function lsCommand(options: ParsedOptions, args: LsArgs): Promise<number> {
  const { types, output: out, outputKeys } = checkLsOptions(args);
  const session = await openSession(options, { which: 'list', readCatalog: false });
  try {
    const manifest = session.compiled.manifest;
    const picked = selectFromManifest(manifest, { ...commandSelection(options), targetDir: session.targetDir, types });
    checkSelectionNotEmpty(manifest, picked, { select: options.select, exclude: options.exclude, selector: options.selector, types, command: 'ls' });
    const ids = [...picked].sort();
    const dialect = session.adapter.dialect;
    if (outputKeys) checkOutputKeys(manifest, dialect, outputKeys);
    const lines: string[] = [];
    for (const id of ids) {
      const n = manifest.nodes.get(id)!;
      if (out === 'name') lines.push(n.name);
      else if (out === 'path') lines.push(n.originalFilePath);
      else if (out === 'json') lines.push(scrubSecrets(JSON.stringify(pick(nodeJson(n, dialect), outputKeys ?? DEFAULT_JSON_KEYS))));
      else lines.push(n.resourceType === 'source' ? `source:${n.fqn.join('.')}` : n.resourceType === 'exposure' ? `exposure:${n.fqn.join('.')}` : n.fqn.join('.'));
    }
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    else process.stderr.write('warning: the selection matched no nodes\n');
    return 0;
  } finally {
    await closeSession(session);
  }
}

/** The keys of `json` that are in `keys`, in that order (a node lacks the keys of other kinds). */
function pick(json: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in json) out[k] = json[k];
  return out;
}

/** Every key asked for is one some node of the project has, or one of dbt's ls keys: a typo is exit 2. */
function checkOutputKeys(manifest: Manifest, dialect: Dialect, keys: string[]): void {
  const known = new Set(DEFAULT_JSON_KEYS);
  for (const n of manifest.nodes.values()) for (const k of Object.keys(nodeJson(n, dialect))) known.add(k);
  const unknown = keys.find((k) => !known.has(k));
  if (unknown !== undefined) throw new UserError(`--output-keys '${unknown}' is not a key of any node's JSON`, {}, { hint: didYouMean(unknown, known) ?? `keys: ${[...known].sort().join(', ')}` });
}
