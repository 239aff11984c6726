import { UserError, type ErrorCollector } from '../errors.js';
import { findFiles, type ProjectFile } from './files.js';
import type { SqlFile } from './load.js';
import type { SnapshotPatch } from './schema-yaml.js';
import { duplicateSnapshotNames, parseSnapshotBlocks } from './snapshot-blocks.js';
import { readTextFile } from './text-file.js';
import { digest } from '../util/digest.js';

/**
 * A snapshot as the compiler renders it: a `{% snapshot %}` block of a file
 * under snapshot-paths, or an entry of a properties file with `relation:`
 * (dbt 1.9), whose select is every column of that relation.
 */
export interface SnapshotFile extends SqlFile {
  /** the block's body as written, or `select * from {{ relation }}` (the manifest's raw_code) */
  rawCode: string;
  /** line of the opening tag, or of the YAML entry */
  line: number;
  /** defined in a properties file (relation:) */
  fromYaml: boolean;
}

const RELATION = /^(ref\(\s*(['"])[^'"]+\2\s*(,\s*(['"])[^'"]+\4\s*)?\)|source\(\s*(['"])[^'"]+\5\s*,\s*(['"])[^'"]+\6\s*\))$/;

/**
 * Text rendered with the same line numbers as the file it comes from: an error
 * in a block (or in a YAML entry's relation) names the file's own line.
 */
function atLine(text: string, line: number): string {
  return '\n'.repeat(Math.max(0, line - 1)) + text;
}

/** fqn as dbt builds it: the project, the folders below the snapshot root, the snapshot's name (not the file's). */
function fqnOf(pkg: string, f: ProjectFile, name: string): string[] {
  return [pkg, ...f.pathInRoot.split('/').slice(0, -1), name];
}

/** Every snapshot block under `roots`; a malformed block is an error with its file and line. */
export function readSnapshotBlocks(projectDir: string, roots: string[], pkg: string, errors: ErrorCollector): SnapshotFile[] {
  const out: SnapshotFile[] = [];
  for (const f of findFiles(projectDir, roots, ['.sql'])) {
    const text = errors.guard(() => readTextFile(f.absPath, f.relPath));
    if (text === undefined) continue;
    const parsed = parseSnapshotBlocks(text, f.relPath);
    parsed.errors.forEach((e) => errors.add(e));
    for (const b of parsed.blocks) {
      out.push({ ...f, name: b.name, text: atLine(b.body, b.bodyLine), rawCode: b.body, checksum: digest('sha256', `${b.name}\n${b.body}`, 'hex'), fqn: fqnOf(pkg, f, b.name), line: b.line, fromYaml: false });
    }
  }
  return out;
}

/** A snapshot defined in a properties file: `relation: ref('orders')` or `source('shop', 'orders')`. */
export function yamlSnapshot(patch: SnapshotPatch & { relation: string }, file: ProjectFile, pkg: string): SnapshotFile | UserError {
  const line = patch.line ?? 1;
  if (!RELATION.test(patch.relation)) {
    return new UserError(`snapshot '${patch.name}': relation must be ref('model') or source('source', 'table'), not ${JSON.stringify(patch.relation)}`, { file: patch.file, line: patch.relationLine ?? line });
  }
  const rawCode = `select * from {{ ${patch.relation} }}`;
  return { ...file, name: patch.name, text: atLine(rawCode, patch.relationLine ?? line), rawCode, checksum: digest('sha256', `${patch.name}\n${rawCode}`, 'hex'), fqn: fqnOf(pkg, file, patch.name), line, fromYaml: true };
}

/** Two snapshots of one name, or a snapshot named like a model or seed (ref() must be unambiguous): errors. */
export function snapshotNameErrors(snapshots: SnapshotFile[], others: Array<{ name: string; relPath: string; kind: string }>): UserError[] {
  const errors = duplicateSnapshotNames(snapshots.map((s) => ({ name: s.name, file: s.relPath, line: s.line })));
  const taken = new Map(others.map((o) => [o.name, o]));
  for (const s of snapshots) {
    const o = taken.get(s.name);
    if (o) errors.push(new UserError(`a snapshot and a ${o.kind} are both named '${s.name}' (${o.relPath})`, { file: s.relPath, line: s.line }, { hint: 'rename one: ref() must be unambiguous' }));
  }
  return errors;
}
