import { UserError } from '../errors.js';
import type { ExposureDef } from '../project/exposures-yaml.js';
import { sha256 } from '../project/load.js';
import { didYouMean } from '../util/suggest.js';
import type { ExposureNode, ManifestNode } from './nodes.js';
import type { RelationResolvers } from './generic-tests.js';

/**
 * Exposures as graph nodes (`exposure.<pkg>.<name>`) whose parents are the
 * models, seeds and sources they name; an unknown one is an error with its
 * line. They are selected and listed, never executed.
 */
export function buildExposures(defs: ExposureDef[], pkg: string, nodes: Map<string, ManifestNode>, disabled: Set<string>, resolvers: RelationResolvers): { exposures: ExposureNode[]; errors: UserError[] } {
  const errors: UserError[] = [];
  const exposures: ExposureNode[] = [];
  const refable = [...nodes.values()].filter((n) => n.resourceType === 'model' || n.resourceType === 'seed' || n.resourceType === 'snapshot');
  const sources = [...nodes.values()].filter((n) => n.resourceType === 'source');
  for (const def of defs) {
    if (def.config.enabled === false) continue;
    const parents: string[] = [];
    for (const d of def.dependsOn) {
      const place = { file: def.file, line: d.line };
      if (d.kind === 'ref') {
        const [name, only] = d.args.length === 2 ? [d.args[1], d.args[0]] : [d.args[0], undefined];
        const hit = resolvers.resolveRef(name, only);
        if ('found' in hit) parents.push(hit.found);
        else if ('ambiguous' in hit) errors.push(new UserError(`exposure '${def.name}': ${d.text} is ambiguous: ${hit.ambiguous.join(' and ')}`, place, { hint: `name the package: ref('${hit.ambiguous[0].split('.')[1]}', '${name}')` }));
        else if ([...disabled].some((id) => /^(model|seed|snapshot)\./.test(id) && id.endsWith(`.${name}`) && (only === undefined || id.split('.')[1] === only))) errors.push(new UserError(`exposure '${def.name}' depends on '${name}', which is disabled`, place));
        else errors.push(new UserError(`exposure '${def.name}': ${d.text} does not match any model or seed`, place, { hint: only === undefined || refable.some((n) => n.packageName === only) ? didYouMean(name, refable.map((n) => n.name)) : `package '${only}' is not installed` }));
      } else {
        const hit = resolvers.resolveSource(d.args[0], d.args[1]);
        if ('found' in hit) parents.push(hit.found);
        else errors.push(new UserError(`exposure '${def.name}': ${d.text} ${'ambiguous' in hit ? `is ambiguous: ${hit.ambiguous.join(' and ')}` : 'does not match any source table'}`, place, { hint: didYouMean(`${d.args[0]}.${d.args[1]}`, sources.map((s) => `${(s as { sourceName: string }).sourceName}.${s.name}`)) }));
      }
    }
    exposures.push({
      uniqueId: `exposure.${pkg}.${def.name}`,
      name: def.name,
      resourceType: 'exposure',
      packageName: pkg,
      fqn: [pkg, def.name],
      originalFilePath: def.file,
      path: def.file,
      description: def.description,
      config: { enabled: true, ...def.config },
      tags: def.tags,
      columns: {},
      dependsOn: { nodes: [...new Set(parents)], macros: [] },
      checksum: sha256(JSON.stringify({ ...def, line: undefined, dependsOn: def.dependsOn.map((d) => d.text) })),
      unrenderedConfig: def.config,
      exposureType: def.type,
      owner: def.owner,
      url: def.url,
      maturity: def.maturity,
      label: def.label,
      meta: def.meta,
      line: def.line,
    });
  }
  return { exposures, errors };
}
