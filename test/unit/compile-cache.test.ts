import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCompileCache, writeCompileCache, type CompileKey } from '../../src/compiler/compile-cache.js';
import type { CompileResult } from '../../src/compiler/compiler.js';
import type { ManifestNode } from '../../src/compiler/nodes.js';

// The kept compile's file, written and read back (the end-to-end cases are in
// test/e2e/compile-cache.test.ts).

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.TSQL_CACHE_UNIT_VAR;
});

function model(id: string, parents: string[], config: Record<string, unknown> = {}): ManifestNode {
  return {
    uniqueId: `model.shop.${id}`,
    name: id,
    resourceType: 'model',
    packageName: 'shop',
    fqn: ['shop', id],
    originalFilePath: `models/${id}.sql`,
    path: `${id}.sql`,
    description: 'dé',
    config: { materialized: 'view', ...config },
    tags: [],
    columns: {},
    dependsOn: { nodes: parents.map((p) => `model.shop.${p}`), macros: [] },
    checksum: 'x',
    unrenderedConfig: {},
    rawCode: 'select 1 -- ünïcode',
    compiledCode: 'select 1',
    sourceMap: [{ at: 0, length: 8, from: 0, render: { file: `models/${id}.sql`, source: 'select 1', rendered: 'select 1', marks: [0, 1, 2], lead: 0 } }],
    relation: { database: 'db', schema: 'main', identifier: id },
    materialized: 'view',
    isIncremental: false,
    preHooks: [],
    postHooks: [],
    compiledPath: `target/compiled/shop/models/${id}.sql`,
  } as ManifestNode;
}

function result(nodes: ManifestNode[], env: Array<[string, string | null]> = []): CompileResult {
  return {
    manifest: { projectName: 'shop', nodes: new Map(nodes.map((n) => [n.uniqueId, n])), parents: new Map(), children: new Map(), disabled: [], macros: [], groups: [], onRunStart: [], onRunEnd: [], deferred: new Map() },
    warnings: ['models/a.sql: a warning'],
    logs: [],
    catalogsWanted: [],
    runTime: undefined as never,
    pendingChecksums: [],
    docBlocks: [],
    inputs: { env },
  };
}

const key = (k: string, parts: Partial<CompileKey['parts']> = {}): CompileKey => ({ key: k, parts: { build: 'b', target: 't', catalog: 'c', ...parts } });

function file(): string {
  const d = mkdtempSync(join(tmpdir(), 'tsql-cc-'));
  dirs.push(d);
  return join(d, '.tsql_cache', 'compile-0123456789abcdef.cache');
}

describe('compile cache file', () => {
  it('reads back what it kept, its header first, however long the list of files', () => {
    const f = file();
    // longer than the first read of the header (64 KiB)
    const files = { files: Array.from({ length: 4000 }, (_, i) => `models/m${i}.sql\t10\t1.5\t2.5\t${i}`).join('\n'), racy: false };
    process.env.TSQL_CACHE_UNIT_VAR = 'on';
    writeCompileCache(f, key('key-1'), files, result([model('a', []), model('b', ['a'])], [['TSQL_CACHE_UNIT_VAR', 'on']]), '"nodes":{}');
    const kept = openCompileCache(f)!;
    expect(kept.files).toBe(files.files);
    expect(kept.changed(key('key-1'), files)).toBeUndefined();
    // what changed, in a few words
    expect(kept.changed(key('key-2', { catalog: 'c2' }), files)).toBe('relations were created or dropped in the target');
    expect(kept.changed(key('key-2', { build: 'b2' }), files)).toBe('tsql was built again or updated');
    expect(kept.changed(key('key-2', { target: 't2' }), files)).toBe('the target changed');
    const edited = files.files.replace('models/m7.sql\t10', 'models/m7.sql\t11');
    expect(kept.changed(key('key-1'), { files: edited, racy: false })).toBe('models/m7.sql changed');
    expect(kept.changed(key('key-1'), { files: `${edited}\nmodels/new.sql\t1\t1\t1\t1`, racy: false })).toBe('models/m7.sql changed, and 1 other file');
    expect(kept.changed(key('key-1'), { files: files.files.split('\n').slice(1).join('\n'), racy: false })).toBe('models/m0.sql is gone');
    const back = kept.read()!;
    expect(back.manifestBody).toBe('"nodes":{}');
    expect(back.warnings).toEqual(['models/a.sql: a warning']);
    expect([...back.manifest.nodes.keys()]).toEqual(['model.shop.a', 'model.shop.b']);
    expect(back.manifest.nodes.get('model.shop.b')).toEqual(model('b', ['a']));
    expect(back.manifest.children.get('model.shop.a')).toEqual(new Set(['model.shop.b']));
    expect(back.manifest.parents.get('model.shop.b')).toEqual(new Set(['model.shop.a']));
    process.env.TSQL_CACHE_UNIT_VAR = 'off';
    expect(kept.changed(key('key-1'), files)).toBe('TSQL_CACHE_UNIT_VAR changed');
    delete process.env.TSQL_CACHE_UNIT_VAR;
    expect(kept.changed(key('key-1'), files)).toBe('TSQL_CACHE_UNIT_VAR changed');
  });

  it('keeps nothing JSON would not give back as it was', () => {
    class Marked {
      constructor(readonly val: string) {}
    }
    for (const odd of [new Marked('table'), Number.NaN, [1, undefined], () => 'table', new Map([['a', 1]])]) {
      const f = file();
      writeCompileCache(f, key('k'), { files: '', racy: false }, result([model('a', [], { odd })]), '');
      expect(existsSync(f), String(odd)).toBe(false);
    }
  });

  it('reads nothing back from a file cut short or grown after it was written: its manifest would be broken', () => {
    const f = file();
    const files = { files: 'models/a.sql\t10\t1.5\t2.5\t1', racy: false };
    writeCompileCache(f, key('k'), files, result([model('a', [])]), '"nodes":{"model.shop.a":{}}');
    const whole = readFileSync(f);
    writeFileSync(f, whole.subarray(0, whole.length - 3));
    expect(openCompileCache(f)!.read()).toBeUndefined();
    writeFileSync(f, Buffer.concat([whole, Buffer.from('}}')]));
    expect(openCompileCache(f)!.read()).toBeUndefined();
    writeFileSync(f, whole);
    expect(openCompileCache(f)!.read()!.manifestBody).toBe('"nodes":{"model.shop.a":{}}');
  });

  it('reads nothing back when the file was replaced after its header was compared: the new one was made from other files', () => {
    const f = file();
    // as long as each other, header and all: only the files' times differ
    const before = { files: 'models/a.sql\t10\t1.5\t2.5\t1', racy: false };
    const after = { files: 'models/a.sql\t10\t1.6\t2.6\t1', racy: false };
    writeCompileCache(f, key('k'), before, result([model('a', [])]), '"nodes":{"v":1}');
    const kept = openCompileCache(f)!;
    expect(kept.changed(key('k'), before)).toBeUndefined();
    // another tsql keeps its compile of the edited files in the same place
    writeCompileCache(f, key('k'), after, result([model('a', [])]), '"nodes":{"v":2}');
    expect(kept.read()).toBeUndefined();
    expect(openCompileCache(f)!.read()!.manifestBody).toBe('"nodes":{"v":2}');
  });
});
