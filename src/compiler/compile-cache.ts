/**
 * The compile cache: a compile whose every input is unchanged is read back instead of done
 * again (dbt's partial parsing, taken to the compiled SQL, and all or nothing). A warm compile
 * of 5,000 models takes ~0.4 s from it against ~1.1 s (bench/README.md).
 *
 * The inputs, all compared before an entry is used:
 * - the project's files, by their metadata (project/input-snapshot.ts);
 * - tsql's own build and nunjucks' version, the options that reach templates (vars, target,
 *   --full-refresh, --empty, the run date …: each set of options has its own entry), the
 *   target as templates see it (credentials redacted), the names of the profile's outputs, and
 *   the relations that exist in the target (is_incremental());
 * - every environment variable a template read, by a digest of its value;
 * - the date, when a warning depends on it (a model's deprecation date).
 *
 * A compile is not kept when a template read a value of its own invocation (`run_started_at`,
 * `invocation_id`, the clock, `random`), when part of it renders at run time (queries,
 * microbatch models), when it used another connection or --defer, when the target or the
 * compile holds a secret's value, or when a file changed in the two seconds before it started (its metadata
 * cannot vouch for its content yet). The entry holds the manifest and the compile's warnings
 * and logs; nothing of the profile but digests, and no credential. Deleting it only costs
 * time; a damaged or foreign entry is a miss.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompileResult, Manifest } from './compiler.js';
import { graphEdges, type ManifestNode } from './nodes.js';
import type { RenderInputs } from './render-inputs.js';
import type { InputSnapshot } from '../project/input-snapshot.js';
import { digest } from '../util/digest.js';
import { TSQL_VERSION } from '../version.js';
import { codePath } from '../paths.js';
import { scrubSecrets } from '../util/secrets.js';
import { NUNJUCKS_VERSION } from '../templating/template-cache.js';

const FORMAT = 2;

/** What a compile produced that later stages use, and that is kept (the renderer of run-time SQL is not). */
export type CachedCompile = Pick<CompileResult, 'manifest' | 'warnings' | 'logs' | 'docBlocks'> & { manifestBody: string };

/**
 * The file: three parts, read in turn. A line of JSON (the header: what the compile was made
 * from), the compile as JSON (`dataBytes` long), then manifest.json's body as it is written
 * (`bodyBytes` long).
 * JSON, not V8's serializer: V8's JSON.parse reads it in half the time.
 */
interface Header {
  format: number;
  key: string;
  files: string;
  /** each environment variable a template read, with a digest of its value then (the value itself is not stored) */
  env: Array<[string, string | null]>;
  /** the compile is right until this time (ms), when its output changes with the date alone */
  until?: number;
  /** CompileKey's parts */
  parts: CompileKey['parts'];
  dataBytes: number;
  /** manifest.json's body's length in bytes: a file cut short (a full disk, a crash) is not read */
  bodyBytes: number;
}

/** What the header keeps of an environment variable's value. */
function envDigest(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : digest('sha256', value, 'hex');
}

/** The compile as the file holds it: the manifest's maps as lists (its graph edges are rebuilt from the nodes). */
interface Data extends Pick<CompileResult, 'warnings' | 'logs' | 'docBlocks'> {
  manifest: Omit<Manifest, 'nodes' | 'parents' | 'children' | 'deferred'> & { nodes: ManifestNode[] };
}

/** The build of tsql that compiles (and the nunjucks it runs on, outside the bundle): a rebuilt tsql may compile differently. */
let thisBuild: string | undefined;
function tsqlBuild(): string {
  if (thisBuild) return thisBuild;
  const parts = [TSQL_VERSION, process.version, NUNJUCKS_VERSION];
  for (const f of [codePath('tsql.cjs'), fileURLToPath(import.meta.url)]) {
    const st = statSync(f, { throwIfNoEntry: false });
    parts.push(st ? `${f}:${st.size}:${st.mtimeMs}` : f);
  }
  return (thisBuild = parts.join('\n'));
}

/** How many kept compiles a project's cache holds (one per set of options: `ls` does not read the catalog, `compile` does …). */
const ENTRIES = 3;

/**
 * The file that keeps the compile made with `options` (those that reach templates; whether the
 * catalog is read) under `dir`: each set of options has its own, so that `tsql ls` and `tsql
 * compile --vars …` do not push each other's compile out.
 */
export function compileCacheFile(dir: string, options: Record<string, unknown>): string {
  return join(dir, `compile-${digest('sha256', JSON.stringify(options), 'hex').slice(0, 16)}.cache`);
}

/** What besides the files a compile's result depends on, as plain data. */
export interface CompileKeyParts {
  /** the options that reach templates or the compiler: vars, --full-refresh, --empty, the run date, threads … */
  options: Record<string, unknown>;
  /** the target as templates see it (credentials redacted) */
  target: Record<string, unknown>;
  /** the relations that exist in the target (is_incremental(), adapter.get_relation()) */
  catalog: Map<string, string> | 'not read';
}

/** The key of a compile (besides its files and environment), and of its parts, to say which changed. */
export interface CompileKey {
  key: string;
  parts: { build: string; target: string; catalog: string };
}

/**
 * The key of a compile's options, target and catalog; undefined when they hold the value of a
 * secret environment variable (a profile's `user: "{{ env_var('DBT_ENV_SECRET_USER') }}"` is
 * `target.user` to templates): what the compile made from it is not kept.
 */
export function compileCacheKey(parts: CompileKeyParts): CompileKey | undefined {
  const build = tsqlBuild();
  const target = JSON.stringify(parts.target);
  const catalog = JSON.stringify(parts.catalog === 'not read' ? parts.catalog : [...parts.catalog].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  // each part written once (a catalog can hold thousands of relations), then the key over all of them
  const material = [FORMAT, build, JSON.stringify(parts.options), target, catalog].join('\n');
  if (scrubSecrets(material) !== material) return undefined;
  const part = (text: string) => digest('sha256', text, 'hex').slice(0, 16);
  return { key: digest('sha256', material, 'hex'), parts: { build: part(build), target: part(target), catalog: part(catalog) } };
}

/** A kept compile, its header read. */
export interface KeptCompile {
  files: string;
  /**
   * Why it cannot stand for a compile with `key` from `files` now, in a few words (`models/a.sql
   * changed`, `TSQL_REGION changed`); undefined when it can: made with the same key, from the
   * same files, every environment variable it read as it was, before any date it depends on.
   */
  changed(key: CompileKey, files: InputSnapshot): string | undefined;
  /** the compile itself (undefined if it cannot be read) */
  read(): CachedCompile | undefined;
}

/** The compile kept in `file`, if there is one tsql can read. */
export function openCompileCache(file: string): KeptCompile | undefined {
  let header: Header;
  let headLine: string;
  let dataStart: number;
  try {
    const head = readHeaderLine(file);
    if (!head) return undefined;
    header = JSON.parse(head.line) as Header;
    headLine = head.line;
    dataStart = head.bytes;
  } catch {
    return undefined;
  }
  if (header?.format !== FORMAT || typeof header.files !== 'string' || typeof header.dataBytes !== 'number' || typeof header.bodyBytes !== 'number') return undefined;
  return {
    files: header.files,
    changed: (key, files) => {
      if (header.files !== files.files) return filesChanged(header.files, files.files);
      if (header.key !== key.key) {
        if (header.parts?.build !== key.parts.build) return 'tsql was built again or updated';
        if (header.parts?.target !== key.parts.target) return 'the target changed';
        if (header.parts?.catalog !== key.parts.catalog) return 'relations were created or dropped in the target';
        return 'the options changed';
      }
      if (header.until !== undefined && Date.now() >= header.until) return "a model's deprecation date passed";
      const env = header.env.find(([name, value]) => envDigest(process.env[name]) !== value);
      return env ? `${env[0]} changed` : undefined;
    },
    read: () => {
      try {
        const buf = readFileSync(file);
        const bodyStart = dataStart + header.dataBytes;
        // cut short or grown: its manifest would be written as it is, broken
        if (buf.length !== bodyStart + header.bodyBytes) return undefined;
        // replaced since its header was compared (another tsql kept its compile here): that one was made from other files
        if (buf.toString('utf8', 0, dataStart - 1) !== headLine) return undefined;
        const data = JSON.parse(buf.toString('utf8', dataStart, bodyStart)) as Data;
        const nodes = new Map(data.manifest.nodes.map((n) => [n.uniqueId, n]));
        const manifest: Manifest = { ...data.manifest, nodes, ...graphEdges(nodes.values()), deferred: new Map() };
        return { ...data, manifest, manifestBody: buf.toString('utf8', bodyStart) };
      } catch {
        return undefined;
      }
    },
  };
}

/** Which files differ between two snapshots, in a few words: the first of them, and how many others. */
function filesChanged(before: string, now: string): string {
  const byPath = (text: string) => new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('\t')), l]));
  const was = byPath(before);
  const is = byPath(now);
  const changes: string[] = [];
  for (const [path, line] of is) if (was.get(path) !== line) changes.push(was.has(path) ? `${path} changed` : `${path} is new`);
  for (const path of was.keys()) if (!is.has(path)) changes.push(`${path} is gone`);
  if (!changes.length) return 'files changed';
  return changes.length === 1 ? changes[0] : `${changes[0]}, and ${changes.length - 1} other file${changes.length === 2 ? '' : 's'}`;
}

/**
 * The file's first line and its length in bytes with the newline, read alone: a compile that
 * cannot be reused (files changed) costs only its header, not the whole file.
 */
function readHeaderLine(file: string): { line: string; bytes: number } | undefined {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.alloc(1 << 16);
    let filled = 0;
    for (;;) {
      const n = readSync(fd, buf, filled, buf.length - filled, filled);
      if (n === 0) return undefined;
      const eol = buf.indexOf(10, filled);
      filled += n;
      if (eol >= 0 && eol < filled) return { line: buf.toString('utf8', 0, eol), bytes: eol + 1 };
      if (filled === buf.length) {
        const bigger = Buffer.alloc(buf.length * 4);
        buf.copy(bigger);
        buf = bigger;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Why a compile made just after its files changed is not kept (the next compile will be). */
export const RACY = 'a file changed less than 2 s before the compile';

/** Why `result` cannot be kept, in a few words, or undefined when it can. */
export function notReusable(result: CompileResult, files: InputSnapshot): string | undefined {
  if (files.racy) return RACY;
  if (result.inputs.volatile) return result.inputs.volatile;
  if (result.catalogsWanted.length) return 'it uses a second connection';
  if (result.manifest.deferred.size) return 'it defers to --state';
  for (const n of result.manifest.nodes.values()) {
    if ('renderAtRunTime' in n && n.renderAtRunTime?.length) return `${n.originalFilePath} renders at run time`;
    if (n.connection) return `${n.originalFilePath} runs on a second connection`;
    if (n.config.materialized === 'microbatch') return `${n.originalFilePath} renders its batches at run time`;
  }
  return undefined;
}

/**
 * Keeps `result` for the next compile with the same key and files. Written whole to a temporary
 * file then renamed, so a reader sees the old entry or the new; never fails the command. A
 * compile holding a value JSON would not give back as it was (a map inside a node, a
 * non-finite number) is not kept.
 */
export function writeCompileCache(file: string, key: CompileKey, files: InputSnapshot, result: CompileResult, manifestBody: string): void {
  const { manifest } = result;
  const data: Data = {
    manifest: {
      projectName: manifest.projectName,
      nodes: [...manifest.nodes.values()],
      disabled: manifest.disabled,
      // a macro's function is the compiler's: the manifest keeps what it says about the macro
      macros: manifest.macros.map((m) => withoutFunction(m)),
      groups: manifest.groups,
      onRunStart: manifest.onRunStart,
      onRunEnd: manifest.onRunEnd,
    },
    warnings: result.warnings,
    logs: result.logs,
    docBlocks: result.docBlocks,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    if (!jsonSafe(data)) return;
    const json = JSON.stringify(data);
    // a secret's value inside another (a URL in an environment variable a model reads): artifacts mask it, this file would hold it
    if (scrubSecrets(json) !== json) return;
    const env = result.inputs.env.map(([name, value]): [string, string | null] => [name, envDigest(value)]);
    const dataBytes = Buffer.byteLength(json);
    const bodyBytes = Buffer.byteLength(manifestBody);
    const header = JSON.stringify({ format: FORMAT, key: key.key, parts: key.parts, files: files.files, env, until: result.inputs.until, dataBytes, bodyBytes } satisfies Header) + '\n';
    mkdirSync(dirname(file), { recursive: true });
    // three writes of the strings as they are: joining them into one buffer first cost two copies of ~20 MB
    fd = openSync(tmp, 'w');
    // a short write (a full disk) leaves no entry
    if (writeSync(fd, header) !== Buffer.byteLength(header) || writeSync(fd, json) !== dataBytes || writeSync(fd, manifestBody) !== bodyBytes) throw new Error('short write');
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    pruneEntries(dirname(file));
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

/** The newest ENTRIES kept compiles stay; older ones go. */
function pruneEntries(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => /^compile-[0-9a-f]{16}\.cache$/.test(f))
    .map((f) => ({ f, at: statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.at - a.at);
  for (const e of entries.slice(ENTRIES)) rmSync(join(dir, e.f), { force: true });
}

function withoutFunction<T extends object>(m: T): T {
  const { fn: _fn, ...rest } = m as T & { fn?: unknown };
  return rest as T;
}

/**
 * Whether JSON gives `v` back as it is: primitives (finite numbers), plain objects and arrays
 * only, no `undefined` in an array. (An object's property that is undefined is left out, which
 * reads back the same.) Source maps are tsql's own numbers and strings (line-map.ts), and most
 * of a manifest's values: they are not walked.
 */
function jsonSafe(v: unknown): boolean {
  const stack: object[] = [v as object];
  const primitive = (y: unknown): boolean => (typeof y === 'number' ? Number.isFinite(y) : typeof y === 'string' || typeof y === 'boolean');
  while (stack.length) {
    const x = stack.pop()!;
    if (Array.isArray(x)) {
      for (const y of x) {
        if (typeof y === 'object' && y !== null) stack.push(y);
        else if (y !== null && !primitive(y)) return false;
      }
      continue;
    }
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const k in x) {
      const y = (x as Record<string, unknown>)[k];
      if (typeof y === 'object' && y !== null) {
        if (k !== 'sourceMap' && k !== 'sourceMapOwn') stack.push(y);
      } else if (y !== null && y !== undefined && !primitive(y)) return false;
    }
  }
  return true;
}
