import { UserError } from '../../errors.js';
import { pathInPackage } from '../../compiler/nodes.js';
import { commandSelection, selectFromManifest } from '../../graph/manifest-graph.js';
import { checkSelectionNotEmpty } from '../../graph/empty-selection.js';
import { RESOURCE_TYPES, type ResourceType } from '../../graph/selector.js';
import { didYouMean } from '../../util/suggest.js';
import type { ParsedOptions } from '../options.js';
import { closeSession, openSession } from '../session.js';

const OUTPUTS = ['selector', 'name', 'path', 'json'];
const LISTABLE: ResourceType[] = ['model', 'seed', 'snapshot', 'source', 'test', 'unit_test', 'analysis', 'exposure'];

export function checkLsOptions(resourceTypes: string[] | undefined, output: string | undefined): { types: ResourceType[]; output: string } {
  const out = output ?? 'selector';
  if (!OUTPUTS.includes(out)) throw new UserError(`--output must be one of ${OUTPUTS.join(', ')}, got '${out}'`, {}, { hint: didYouMean(out, OUTPUTS) });
  const types: ResourceType[] = [];
  for (const raw of resourceTypes ?? []) {
    for (const t of raw.split(/[\s,]+/).filter(Boolean)) {
      if (t === 'all') types.push(...LISTABLE);
      else if (!(RESOURCE_TYPES as readonly string[]).includes(t)) throw new UserError(`unknown --resource-type '${t}'`, {}, { hint: didYouMean(t, [...RESOURCE_TYPES, 'all']) ?? `use one of ${LISTABLE.join(', ')}` });
      else types.push(t as ResourceType);
    }
  }
  return { types: types.length ? [...new Set(types)] : LISTABLE, output: out };
}

/** `tsql ls`: the selected nodes, one per line (or JSON lines). */
export async function lsCommand(options: ParsedOptions, resourceTypes: string[] | undefined, output: string | undefined): Promise<number> {
  const { types, output: out } = checkLsOptions(resourceTypes, output);
  const session = await openSession(options, { readCatalog: false });
  try {
    const manifest = session.compiled.manifest;
    const picked = selectFromManifest(manifest, { ...commandSelection(options), targetDir: session.targetDir, types });
    checkSelectionNotEmpty(manifest, picked, { select: options.select, exclude: options.exclude, types, command: 'ls' });
    const ids = [...picked].sort();
    const lines: string[] = [];
    for (const id of ids) {
      const n = manifest.nodes.get(id)!;
      if (out === 'name') lines.push(n.name);
      else if (out === 'path') lines.push(n.originalFilePath);
      else if (out === 'json') {
        lines.push(
          JSON.stringify({
            name: n.name,
            resource_type: n.resourceType,
            package_name: n.packageName,
            original_file_path: pathInPackage(n),
            unique_id: n.uniqueId,
            alias: 'relation' in n ? n.relation.identifier : undefined,
            config: n.config,
            tags: n.tags,
            depends_on: n.dependsOn,
          }),
        );
      } else {
        lines.push(n.resourceType === 'source' ? `source:${n.fqn.join('.')}` : n.resourceType === 'exposure' ? `exposure:${n.fqn.join('.')}` : n.fqn.join('.'));
      }
    }
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
    else process.stderr.write('warning: the selection matched no nodes\n');
    return 0;
  } finally {
    await closeSession(session);
  }
}
