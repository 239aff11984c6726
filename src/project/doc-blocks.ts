import { ErrorCollector, UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { findFiles } from './files.js';
import { readTextFile } from './text-file.js';

/** A `{% docs name %} … {% enddocs %}` block of a .md file under docs-paths. */
export interface DocBlock {
  name: string;
  /** the project or package whose docs-paths hold it */
  packageName: string;
  /** the markdown between the tags, trimmed */
  contents: string;
  file: string;
  line: number;
}

const OPEN = /\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}/g;
const CLOSE = /\{%-?\s*enddocs\s*-?%\}/g;

/** Every doc block of the .md files under `roots`; a name used twice or a block left open is an error. */
export function readDocBlocks(projectDir: string, roots: string[], packageName: string, errors: ErrorCollector): DocBlock[] {
  const out: DocBlock[] = [];
  const seen = new Map<string, DocBlock>();
  for (const f of findFiles(projectDir, roots, ['.md'])) {
    const text = errors.guard(() => readTextFile(f.absPath, f.relPath));
    if (text === undefined) continue;
    for (const b of blocksOf(text, f.relPath, packageName, errors)) {
      const prev = seen.get(b.name);
      if (prev) {
        errors.add(new UserError(`doc block '${b.name}' is defined twice (also in ${prev.file}:${prev.line})`, { file: b.file, line: b.line }, { hint: 'doc block names are unique in a project' }));
        continue;
      }
      seen.set(b.name, b);
      out.push(b);
    }
  }
  return out;
}

function blocksOf(text: string, file: string, packageName: string, errors: ErrorCollector): DocBlock[] {
  const out: DocBlock[] = [];
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  OPEN.lastIndex = 0;
  for (let m = OPEN.exec(text); m; m = OPEN.exec(text)) {
    CLOSE.lastIndex = m.index + m[0].length;
    const end = CLOSE.exec(text);
    const nextOpen = new RegExp(OPEN.source, 'g');
    nextOpen.lastIndex = m.index + m[0].length;
    const inner = nextOpen.exec(text);
    if (!end || (inner && inner.index < end.index)) {
      errors.add(new UserError(`doc block '${m[1]}' has no {% enddocs %}`, { file, line: lineAt(m.index) }, { hint: 'close it with {% enddocs %} before the next {% docs %}' }));
      return out;
    }
    out.push({ name: m[1], packageName, contents: text.slice(m.index + m[0].length, end.index).trim(), file, line: lineAt(m.index) });
    OPEN.lastIndex = end.index + end[0].length;
  }
  return out;
}

/** `{{ doc('name') }}` or `{{ doc('package', 'name') }}` in a description. */
const DOC_CALL = /\{\{-?\s*doc\(\s*(['"])([^'"]*)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*-?\}\}/g;

/**
 * A description with each `{{ doc('name') }}` replaced by that block's
 * markdown, as dbt renders descriptions: `doc('name')` is looked up in the
 * description's own project or package, then in the root project;
 * `doc('package', 'name')` in that package. An unknown name is an error on the
 * description's YAML line, with the closest name suggested.
 */
export function resolveDocCalls(description: string, docs: DocIndex, ownPackage: string, place: { file: string; line?: number }, errors: ErrorCollector): string {
  if (!description.includes('doc(')) return description;
  return description.replace(DOC_CALL, (call, _q1: string, first: string, _q2: string | undefined, second: string | undefined) => {
    const pkg = second === undefined ? undefined : first;
    const name = second ?? first;
    const block = pkg !== undefined ? docs.get(pkg)?.get(name) : (docs.get(ownPackage)?.get(name) ?? docs.get(docs.root)?.get(name));
    if (block) return block.contents;
    const known = pkg !== undefined ? docs.get(pkg) : new Map([...(docs.get(docs.root) ?? []), ...(docs.get(ownPackage) ?? [])]);
    const hint =
      pkg !== undefined && !docs.has(pkg)
        ? `no project or installed package is named '${pkg}'`
        : (didYouMean(name, known?.keys() ?? []) ?? (known?.size ? undefined : 'write it in a .md file under docs-paths: {% docs name %} … {% enddocs %}'));
    errors.add(new UserError(`${call.trim()} names no doc block`, place, { hint }));
    return call;
  });
}

/** Doc blocks by package (the root project's under its own name) and name. */
export class DocIndex extends Map<string, Map<string, DocBlock>> {
  constructor(
    readonly root: string,
    blocks: DocBlock[],
  ) {
    super();
    for (const b of blocks) {
      if (!this.has(b.packageName)) this.set(b.packageName, new Map());
      this.get(b.packageName)!.set(b.name, b);
    }
  }
}
