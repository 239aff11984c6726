import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotInputs } from '../../src/project/input-snapshot.js';
import { loadProjectFile } from '../../src/project/project-file.js';

// What the compile cache compares before it reuses a compile: every file a project is loaded
// from, by its metadata.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsql-snapshot-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries({ 'tsql_project.yml': 'name: shop\nprofile: shop\n', ...files })) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
    // written long ago: a change below cannot fall in the same tick of the clock as the writing
    utimesSync(join(dir, rel), new Date(2020, 0, 1), new Date(2020, 0, 1));
  }
  return dir;
}

const snap = (dir: string) => snapshotInputs(dir, loadProjectFile(dir));

describe('input snapshot', () => {
  it('changes with every file the loader reads, and only with those', () => {
    const dir = project({ 'models/a.sql': 'select 1', 'macros/m.sql': '', 'seeds/s.csv': 'a\n1\n', 'dbt_packages/p/models/b.sql': 'select 2', 'README.md': 'x', 'data/big.csv': 'x' });
    const before = snap(dir).files;
    expect(snap(dir).files).toBe(before);

    // outside the project's folders and top-level YAML: not an input
    writeFileSync(join(dir, 'README.md'), 'changed');
    writeFileSync(join(dir, 'data', 'big.csv'), 'changed');
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'manifest.json'), '{}');
    expect(snap(dir).files).toBe(before);

    const changes: Array<[string, () => void]> = [
      ['same size, other content', () => writeFileSync(join(dir, 'models', 'a.sql'), 'select 9')],
      ['a new model', () => writeFileSync(join(dir, 'models', 'c.sql'), 'select 3')],
      ['a package file', () => writeFileSync(join(dir, 'dbt_packages', 'p', 'models', 'b.sql'), 'select 3')],
      ['a seed', () => writeFileSync(join(dir, 'seeds', 's.csv'), 'a\n2\n')],
      ['a top-level YAML file', () => writeFileSync(join(dir, 'packages.yml'), 'packages: []\n')],
      ['a folder created', () => mkdirSync(join(dir, 'snapshots'))],
      ['a file saved by renaming, its time set back', () => {
        writeFileSync(join(dir, 'macros', 'm.tmp'), '');
        renameSync(join(dir, 'macros', 'm.tmp'), join(dir, 'macros', 'm.sql'));
        utimesSync(join(dir, 'macros', 'm.sql'), new Date(2020, 0, 1), new Date(2020, 0, 1));
      }],
    ];
    let last = before;
    for (const [what, change] of changes) {
      change();
      const now = snap(dir).files;
      expect(now, what).not.toBe(last);
      last = now;
    }
  });

  it('calls a snapshot racy when a file changed in the last two seconds', () => {
    const dir = project({ 'models/a.sql': 'select 1' });
    // the change time (set by the kernel, here by utimes) is as recent as a write's
    expect(snap(dir).racy).toBe(true);
  });
});
