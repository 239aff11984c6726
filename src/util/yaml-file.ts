import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Node } from 'yaml';
import { UserError } from '../errors.js';
import { readTextFile } from '../project/text-file.js';

export type YamlPath = ReadonlyArray<string | number>;

/** A parsed YAML file that can say on which line any value sits. */
export class YamlFile {
  constructor(
    readonly relPath: string,
    readonly data: unknown,
    private readonly doc: ReturnType<typeof parseDocument>,
    private readonly lines: LineCounter,
  ) {}

  /** 1-based line of the key (or item) at `path`; falls back to the nearest ancestor found. */
  lineOf(path: YamlPath): number | undefined {
    let node: unknown = this.doc.contents;
    let line = lineOfNode(node as Node, this.lines);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return line;
        line = lineOfNode(pair.key as Node, this.lines) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) return line;
        line = lineOfNode(item as Node, this.lines) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  error(message: string, path: YamlPath, hint?: string): UserError {
    return new UserError(message, { file: this.relPath, line: this.lineOf(path) }, { hint });
  }
}

function lineOfNode(node: Node | null | undefined, lines: LineCounter): number | undefined {
  const range = node && (node as { range?: [number, number, number] }).range;
  if (!range) return undefined;
  return lines.linePos(range[0]).line;
}

/** Parses YAML text; a syntax error becomes a UserError naming the file and line. */
export function parseYaml(text: string, relPath: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? (e.pos ? lines.linePos(e.pos[0]) : undefined);
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new UserError(`invalid YAML: ${msg}`, { file: relPath, line: pos?.line, column: pos?.col });
  }
  return new YamlFile(relPath, doc.toJS({ maxAliasCount: 1000 }) ?? {}, doc, lines);
}

export function readYamlFile(absPath: string, relPath: string): YamlFile {
  return parseYaml(readTextFile(absPath, relPath), relPath);
}
