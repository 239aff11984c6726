import type { ModelNode, SourceNode } from '../compiler/nodes.js';
import { UserError } from '../errors.js';
import { externalSpec } from '../materializations/external.js';
import { unloadTarget } from '../materializations/unload.js';
import { outsideLake } from '../project/lake.js';
import { lineOfCall } from '../templating/context-helpers.js';

const HINT = 'locations are relative to the lake root (lake_root in the profile) and must stay below it';

/** An unload model that would write outside the lake root: a user error naming the model's file. */
export function unloadOutsideLake(node: ModelNode, lakeRoot: string): UserError | undefined {
  if (typeof node.config.location !== 'string') return undefined;
  const why = outsideLake(lakeRoot, unloadTarget(node, lakeRoot).location);
  if (!why) return undefined;
  return new UserError(`unload model '${node.name}': location '${node.config.location}' is outside the lake: ${why}`, { file: node.originalFilePath, line: lineOfLocation(node.rawCode) }, { hint: HINT });
}

/** An external source that would read outside the lake root: a user error naming its properties file and line. */
export function externalOutsideLake(node: SourceNode, lakeRoot: string): UserError | undefined {
  if (typeof node.external?.location !== 'string') return undefined;
  const why = outsideLake(lakeRoot, externalSpec(node, lakeRoot).location);
  if (!why) return undefined;
  return new UserError(`external source ${node.sourceName}.${node.name}: location '${node.external.location}' is outside the lake: ${why}`, { file: node.originalFilePath, line: node.line }, { hint: HINT });
}

/** The line that sets `location` in a model file, else its config() call's. */
function lineOfLocation(raw: string): number | undefined {
  const i = raw.split('\n').findIndex((l) => /\blocation\s*=/.test(l));
  return i >= 0 ? i + 1 : lineOfCall(raw, 'config');
}
