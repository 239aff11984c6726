import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { UserError, type SourcePlace } from '../errors.js';
import { readYamlFile } from '../util/yaml-file.js';
import { fetchGit, fetchHub, fetchTarball, type Fetched } from './package-fetch.js';
import { readPackagesFile, type PackageSpec } from './packages-file.js';
import { findProjectFile } from './project-file.js';
import { isInside, realPath } from './paths.js';

export const LOCK_FILE = 'package-lock.yml';

/** One installed package, as package-lock.yml records it. */
export interface LockedPackage {
  name: string;
  spec: PackageSpec;
  /** git: commit; hub: version */
  resolved?: string;
}

export interface DepsResult {
  installed: LockedPackage[];
  lockWritten: boolean;
  /** true when the lock file pinned what was installed */
  fromLock: boolean;
}

/** The `name:` of the project file in `dir` (a package's own name is what ref() and namespaces use). */
export function packageNameIn(dir: string, place: SourcePlace): string {
  const file = findProjectFile(dir);
  if (!file) throw new UserError(`the package at ${dir} has no dbt_project.yml or tsql_project.yml`, place);
  const yaml = readYamlFile(join(dir, file), file);
  const name = (yaml.data as Record<string, unknown>)?.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UserError(`the package at ${dir} has no valid name: in ${file}`, place);
  return name;
}

function lockEntry(p: LockedPackage): Record<string, unknown> {
  const s = p.spec;
  switch (s.kind) {
    case 'local': return { local: s.local, name: p.name };
    case 'git': return { git: s.git, revision: p.resolved, ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}), name: p.name };
    case 'tarball': return { tarball: s.tarball, name: p.name };
    case 'hub': return { package: s.package, version: p.resolved, name: p.name };
  }
}

/** The lock file's entries as specs pinned to what was resolved; undefined when absent or written for another packages.yml. */
function readLock(projectDir: string, sha1: string): PackageSpec[] | undefined {
  const path = join(projectDir, LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const yaml = readYamlFile(path, LOCK_FILE);
  const data = (yaml.data ?? {}) as { packages?: unknown[]; sha1_hash?: string };
  if (data.sha1_hash !== sha1) return undefined;
  if (!Array.isArray(data.packages)) throw yaml.error("'packages' must be a list", ['packages']);
  return data.packages.map((e, i) => {
    const x = (e ?? {}) as Record<string, string>;
    const line = yaml.lineOf(['packages', i]);
    if (x.local !== undefined) return { kind: 'local', local: String(x.local), line };
    if (x.git !== undefined) return { kind: 'git', git: String(x.git), revision: x.revision, subdirectory: x.subdirectory, line };
    if (x.tarball !== undefined) return { kind: 'tarball', tarball: String(x.tarball), name: String(x.name), line };
    if (x.package !== undefined) return { kind: 'hub', package: String(x.package), version: [String(x.version)], line };
    throw yaml.error('a lock entry needs local:, git:, tarball: or package:', ['packages', i]);
  });
}

/** A stable identity for a spec, to install a package listed by two projects once. */
function specKey(s: PackageSpec, base: string): string {
  switch (s.kind) {
    case 'local': return `local:${resolve(base, s.local)}`;
    case 'git': return `git:${s.git}#${s.subdirectory ?? ''}`;
    case 'tarball': return `tarball:${s.tarball}`;
    case 'hub': return `hub:${s.package}`;
  }
}

/**
 * `tsql deps`: installs every package of packages.yml (and the packages those
 * list) into packages-install-path. The lock file pins the versions when it
 * was written for the same packages.yml, unless `upgrade`; a new lock file is
 * written otherwise. Each package is fetched to a scratch folder first and
 * then moved in, so a failed fetch leaves the installed packages as they were.
 */
export async function installDeps(projectDir: string, installPath: string, opts: { upgrade?: boolean } = {}): Promise<DepsResult> {
  const root = readPackagesFile(projectDir);
  const target = resolve(projectDir, installPath);
  if (!isInside(realPath(projectDir), realPath(target), { strictly: true })) throw new UserError(`packages-install-path '${installPath}' must be a folder inside the project directory`);
  if (!root) return { installed: [], lockWritten: false, fromLock: false };
  const locked = opts.upgrade ? undefined : readLock(projectDir, root.sha1);
  const queue: Array<{ spec: PackageSpec; base: string; file: string }> = (locked ?? root.specs).map((spec) => ({ spec, base: projectDir, file: locked ? LOCK_FILE : root.file }));
  const seen = new Map<string, LockedPackage>();
  const fetched: Array<{ pkg: LockedPackage; dir: string }> = [];
  while (queue.length) {
    const { spec, base, file } = queue.shift()!;
    const key = specKey(spec, base);
    const place = { file, line: spec.line };
    const prev = seen.get(key);
    if (prev) continue;
    let f: Fetched;
    switch (spec.kind) {
      case 'local': {
        const dir = resolve(base, spec.local);
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`local package '${spec.local}' is not a folder (looked in ${dir})`, place);
        f = { dir };
        break;
      }
      case 'git': f = fetchGit(spec.git, spec.revision, spec.subdirectory, place); break;
      case 'tarball': f = await fetchTarball(spec.tarball, place); break;
      case 'hub': f = await fetchHub(spec.package, spec.version, place); break;
    }
    const name = packageNameIn(f.dir, place);
    const clash = [...seen.values()].find((p) => p.name === name);
    if (clash) throw new UserError(`two packages are named '${name}' (${describe(clash.spec)} and ${describe(spec)})`, place, { hint: 'list each package once' });
    const pkg: LockedPackage = { name, spec, resolved: f.resolved };
    seen.set(key, pkg);
    fetched.push({ pkg, dir: f.dir });
    if (!locked) {
      const own = readPackagesFile(f.dir, relative(projectDir, f.dir).startsWith('..') ? name : relative(projectDir, f.dir));
      for (const s of own?.specs ?? []) queue.push({ spec: s, base: f.dir, file: own!.file });
    }
  }
  mkdirSync(target, { recursive: true });
  for (const { pkg, dir } of fetched) {
    const dest = join(target, pkg.name);
    const staging = join(target, `.${pkg.name}.installing`);
    rmSync(staging, { recursive: true, force: true });
    cpSync(dir, staging, { recursive: true, filter: (src) => !src.split('/').includes('.git') });
    rmSync(dest, { recursive: true, force: true });
    renameSync(staging, dest);
  }
  const names = new Set(fetched.map((x) => x.pkg.name));
  for (const e of readdirSync(target)) if (!names.has(e)) rmSync(join(target, e), { recursive: true, force: true });
  const installed = fetched.map((x) => x.pkg);
  let lockWritten = false;
  if (!locked) {
    writeFileSync(join(projectDir, LOCK_FILE), stringify({ packages: installed.map(lockEntry), sha1_hash: root.sha1 }));
    lockWritten = true;
  }
  return { installed, lockWritten, fromLock: !!locked };
}

export function describe(s: PackageSpec): string {
  switch (s.kind) {
    case 'local': return `local: ${s.local}`;
    case 'git': return `git: ${s.git}${s.revision ? `@${s.revision}` : ''}`;
    case 'tarball': return `tarball: ${s.tarball}`;
    case 'hub': return `package: ${s.package}`;
  }
}
