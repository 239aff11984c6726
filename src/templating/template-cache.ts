import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Script } from 'node:vm';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { TSQL_VERSION } from '../version.js';

const require = createRequire(import.meta.url);

/** The compiled modules of the Jinja compatibility layer (./jinja/*.js), in sorted order. */
function jinjaModules(): string[] {
  try {
    return readdirSync(new URL('./jinja/', import.meta.url))
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => `./jinja/${f}`);
  } catch {
    return [];
  }
}

/** The code that turns template text into nunjucks input: a change to it must invalidate the cache. */
const TEMPLATING_FINGERPRINT = (() => {
  const h = createHash('sha1');
  for (const f of ['./jinja-compat.js', './environment.js', './macros.js', ...jinjaModules()]) {
    try {
      h.update(readFileSync(new URL(f, import.meta.url)));
    } catch {
      h.update(f);
    }
  }
  return h.digest('hex').slice(0, 16);
})();

/** Scripts the templates are spread over (see evaluateBatch). */
const CHUNKS = 32;
const NUNJUCKS_VERSION: string = (require('nunjucks/package.json') as { version: string }).version;

/**
 * nunjucks' template → JavaScript step costs ~0.2 ms a template; on a large
 * project that is most of a compile. This cache keeps the generated code,
 * keyed by a hash of the (preprocessed) template text, the template path and
 * the versions of tsql and nunjucks. It holds no rendered output and no
 * state: deleting it (or `tsql clean`) only makes the next compile slower.
 */
export class TemplateCodeCache {
  private entries = new Map<string, string>();
  private readonly used = new Set<string>();
  private dirty = false;
  private readonly salt: string;

  constructor(
    private readonly file: string | undefined,
    extensionTags: string[],
  ) {
    this.salt = `${TSQL_VERSION}|${NUNJUCKS_VERSION}|${TEMPLATING_FINGERPRINT}|${extensionTags.join(',')}`;
    if (!file) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { salt?: string; entries?: Record<string, string> };
      if (data.salt === this.salt && data.entries) this.entries = new Map(Object.entries(data.entries));
    } catch {
      // missing or unreadable: start empty
    }
  }

  key(source: string, path: string): string {
    return createHash('sha1').update(path).update('\0').update(source).digest('base64url');
  }

  get(key: string): string | undefined {
    const code = this.entries.get(key);
    if (code !== undefined) this.used.add(key);
    return code;
  }

  set(key: string, code: string): void {
    this.entries.set(key, code);
    this.used.add(key);
    this.dirty = true;
  }

  private readonly batches: Array<{ script: Script; key: string; file: string; hit: boolean }> = [];

  /**
   * Evaluates many templates' generated code as a few scripts, so V8 parses
   * each once, and reuses V8's own code cache for a script whose templates are
   * unchanged. Templates go to one of CHUNKS scripts by a hash of their path,
   * so editing one model invalidates one chunk's code cache, not all of them.
   * Returns one factory per code, in order; calling it yields the props.
   */
  evaluateBatch(items: Array<{ code: string; path: string }>): Array<() => object> {
    const out = new Array<() => object>(items.length);
    const chunks = new Map<number, number[]>();
    items.forEach((it, i) => {
      const c = createHash('sha1').update(it.path).digest().readUInt16BE(0) % CHUNKS;
      let list = chunks.get(c);
      if (!list) chunks.set(c, (list = []));
      list.push(i);
    });
    for (const [chunk, indexes] of chunks) {
      const source = `[\n${indexes.map((i) => `(function(){\n${items[i].code}\n})`).join(',\n')}\n]`;
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
      const factories = script.runInThisContext() as Array<() => object>;
      indexes.forEach((itemIndex, k) => (out[itemIndex] = factories[k]));
    }
    return out;
  }

  /** Writes the entries used by this compile (dropping stale ones), and V8's code cache, atomically. */
  save(): void {
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      if (this.dirty || this.used.size !== this.entries.size) {
        const entries: Record<string, string> = {};
        for (const k of this.used) entries[k] = this.entries.get(k)!;
        atomicWrite(this.file, JSON.stringify({ salt: this.salt, entries }));
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

function atomicWrite(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
