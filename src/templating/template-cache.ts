import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { TSQL_VERSION } from '../version.js';
import { CONSTANTS, shapeId } from './jinja/lifted-constants.js';
import { codePath } from '../paths.js';
import { digest } from '../util/digest.js';

const require = createRequire(import.meta.url);

/** The compiled modules of the Jinja compatibility layer (./jinja/*.js), in sorted order. */
function jinjaModules(): string[] {
  try {
    return readdirSync(codePath('templating/jinja'))
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => `templating/jinja/${f}`);
  } catch {
    return [];
  }
}

/** The code that turns template text into nunjucks input: a change to it must invalidate the cache. */
const TEMPLATING_FINGERPRINT = (() => {
  const h = createHash('sha1');
  for (const f of ['templating/jinja-compat.js', 'templating/environment.js', 'templating/macros.js', ...jinjaModules()]) {
    try {
      h.update(readFileSync(codePath(f)));
    } catch {
      h.update(f);
    }
  }
  return h.digest('hex').slice(0, 16);
})();

/** Scripts the template shapes are spread over (see evaluateBatch). */
const CHUNKS = 32;
export const NUNJUCKS_VERSION: string = (require('nunjucks/package.json') as { version: string }).version;

/**
 * A template's generated code: its shape (code that templates of the same structure share)
 * and the constants it runs with (see jinja/lifted-constants.ts).
 */
export interface TemplateCode {
  code: string;
  constants: unknown[];
  /** the shape's id (a hash of `code`), once known: hashing a template's code again for each use cost ~3 µs a time */
  shape?: string;
}

/** A compiled shape: called with a template's constants, it gives nunjucks' props ({ root, b_… }). */
type Shape = (constants: unknown[]) => object;

/**
 * nunjucks' template → JavaScript step costs ~0.2 ms a template; on a large project that is
 * most of a compile. This cache keeps the generated code of each template, keyed by a hash
 * of the (preprocessed) template text, the template path and the versions of tsql and
 * nunjucks: its shape (stored once, however many templates share it) and its constants. It
 * holds no rendered output and no state: deleting it (or `tsql clean`) only makes the next
 * compile slower.
 */
export class TemplateCodeCache {
  /** template key → [shape id, constants] */
  private entries = new Map<string, [string, unknown[]]>();
  /** shape id → code */
  private shapes = new Map<string, string>();
  private readonly used = new Set<string>();
  private dirty = false;
  private readonly salt: string;
  /** shapes compiled in this process, by id */
  private readonly compiled = new Map<string, Shape>();

  constructor(
    private readonly file: string | undefined,
    extensionTags: string[],
  ) {
    this.salt = `${TSQL_VERSION}|${NUNJUCKS_VERSION}|${TEMPLATING_FINGERPRINT}|${extensionTags.join(',')}`;
    const data = file ? readCacheFile(file, this.salt) : undefined;
    if (data) {
      this.entries = new Map(Object.entries(data.entries));
      this.shapes = new Map(Object.entries(data.shapes));
    }
  }

  key(source: string, path: string): string {
    return digest('sha1', `${path}\0${source}`, 'base64url');
  }

  get(key: string): TemplateCode | undefined {
    let e = this.entries.get(key);
    let code = e && this.shapes.get(e[0]);
    if (code === undefined) {
      // tsql's own templates, generated when tsql was built
      const built = builtinCode(this.salt);
      e = built?.entries[key];
      code = e && built!.shapes[e[0]];
      if (code === undefined) return undefined;
      this.entries.set(key, e!);
      this.shapes.set(e![0], code);
      this.dirty = true;
    }
    this.used.add(key);
    return { code, constants: e![1], shape: e![0] };
  }

  set(key: string, t: TemplateCode): void {
    const id = shapeOf(t);
    this.shapes.set(id, t.code);
    this.entries.set(key, [id, t.constants]);
    this.used.add(key);
    this.dirty = true;
  }

  /** nunjucks' props for one template: its shape, compiled once per process, run with its constants. */
  instantiate(t: TemplateCode): object {
    const id = shapeOf(t);
    let shape = this.compiled.get(id);
    if (!shape) this.compiled.set(id, (shape = new Function(CONSTANTS, t.code) as Shape));
    return shape(t.constants);
  }

  private readonly batches: Array<{ script: Script; key: string; file: string; hit: boolean }> = [];

  /**
   * Compiles the shapes of many templates as a few scripts, so V8 parses each shape once
   * and reuses its own code cache for a script whose shapes are unchanged. Shapes go to one
   * of CHUNKS scripts by their id, so a new shape invalidates one chunk's code cache, not
   * all of them. Returns one factory per template, in order; calling it yields the props.
   */
  evaluateBatch(items: TemplateCode[]): Array<() => object> {
    const shapeIds = items.map(shapeOf);
    const chunks = new Map<number, Map<string, string>>();
    shapeIds.forEach((id, i) => {
      if (this.compiled.has(id)) return;
      const c = chunkOf(id);
      let list = chunks.get(c);
      if (!list) chunks.set(c, (list = new Map()));
      list.set(id, items[i].code);
    });
    for (const [chunk, shapes] of chunks) {
      const order = [...shapes.keys()].sort();
      const source = `[\n${order.map((id) => `(function(${CONSTANTS}){\n${shapes.get(id)}\n})`).join(',\n')}\n]`;
      const key = createHash('sha1').update(this.salt).update(source).digest('hex');
      const file = `${this.file}.v8.${chunk}`;
      let cachedData: Buffer | undefined;
      if (this.file) {
        try {
          const buf = readFileSync(file);
          if (buf.subarray(0, 40).toString('latin1') === key) cachedData = buf.subarray(40);
        } catch {
          // no V8 cache for this chunk yet
        }
      }
      const script = new Script(source, { filename: `tsql-templates-${chunk}.js`, cachedData });
      this.batches.push({ script, key, file, hit: !!cachedData && !script.cachedDataRejected });
      const fns = script.runInThisContext() as Shape[];
      order.forEach((id, k) => this.compiled.set(id, fns[k]));
    }
    return items.map((t, i) => {
      const shape = this.compiled.get(shapeIds[i])!;
      return () => shape(t.constants);
    });
  }

  /** Writes the entries used by this compile (dropping stale ones) and their shapes, and V8's code cache, atomically. */
  save(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      if (this.dirty || this.used.size !== this.entries.size) {
        const entries: Record<string, [string, unknown[]]> = {};
        const shapes: Record<string, string> = {};
        for (const k of this.used) {
          const e = this.entries.get(k)!;
          entries[k] = e;
          shapes[e[0]] = this.shapes.get(e[0])!;
        }
        atomicWrite(this.file, JSON.stringify({ salt: this.salt, shapes, entries } satisfies CacheFile));
      }
      for (const b of this.batches) {
        // Created after rendering, so it also holds the functions V8 compiled lazily.
        if (!b.hit) atomicWrite(b.file, Buffer.concat([Buffer.from(b.key, 'latin1'), b.script.createCachedData()]));
      }
    } catch {
      // a cache that cannot be written is only a missed speed-up
    }
  }
}

/**
 * The code of tsql's own templates (its built-in macros and tests), generated when tsql is
 * built (scripts/build.mjs compiles an empty project and keeps its template cache here): a
 * fresh checkout then generates only the project's own. Used when made with this build's
 * salt; otherwise (tsql's templating code changed without a build) it is only a missed speed-up.
 */
export const BUILTIN_TEMPLATES_FILE = 'templating/builtin-templates.json';

/** A template cache file (`save`'s format): each entry's shape and constants, and the shapes' code. */
type CacheFile = { salt: string; shapes: Record<string, string>; entries: Record<string, [string, unknown[]]> };

/** The cache file at `file` when it was made with `salt`; undefined when it is missing, unreadable or another build's. */
function readCacheFile(file: string, salt: string): CacheFile | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
    return data.salt === salt && data.entries && data.shapes ? (data as CacheFile) : undefined;
  } catch {
    return undefined;
  }
}

/** The shipped file, read once per salt (every environment of a process has the same). */
const builtin = new Map<string, CacheFile | undefined>();

function builtinCode(salt: string): CacheFile | undefined {
  if (!builtin.has(salt)) builtin.set(salt, readCacheFile(codePath(BUILTIN_TEMPLATES_FILE), salt));
  return builtin.get(salt);
}

/** A template's shape id, computed once per template. */
function shapeOf(t: TemplateCode): string {
  return (t.shape ??= shapeId(t.code));
}

/** The script a shape goes to (a cheap hash of its id). */
function chunkOf(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) % CHUNKS;
}

function atomicWrite(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
