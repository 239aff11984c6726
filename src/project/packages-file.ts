import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { readYamlFile, type YamlFile } from '../util/yaml-file.js';

/** One entry of `packages:` in packages.yml / dependencies.yml (dbt's formats). */
export type PackageSpec =
  | { kind: 'local'; local: string; line?: number }
  | { kind: 'git'; git: string; revision?: string; subdirectory?: string; line?: number }
  | { kind: 'tarball'; tarball: string; name: string; line?: number }
  | { kind: 'hub'; package: string; version: string[]; line?: number };

export interface PackagesFile {
  /** 'packages.yml' or 'dependencies.yml', relative to the project */
  file: string;
  specs: PackageSpec[];
  /** sha1 of the file's `packages:` as data: what package-lock.yml records to notice an edit */
  sha1: string;
  yaml: YamlFile;
}

export const PACKAGES_FILES = ['packages.yml', 'dependencies.yml'] as const;

const KEYS: Record<PackageSpec['kind'], string[]> = {
  local: ['local', 'name'],
  git: ['git', 'revision', 'subdirectory', 'warn-unpinned', 'name'],
  tarball: ['tarball', 'name'],
  hub: ['package', 'version', 'install-prerelease', 'name'],
};

/**
 * The project's package list, or undefined when it has none. Both files at
 * once is an error (dbt refuses it too); so is any key tsql would not act on.
 */
export function readPackagesFile(dir: string, relBase = ''): PackagesFile | undefined {
  const present = PACKAGES_FILES.filter((f) => existsSync(join(dir, f)));
  if (present.length > 1) {
    throw new UserError(`both packages.yml and dependencies.yml are in ${relBase || dir}; list the packages in one of them`, { file: join(relBase, 'dependencies.yml') }, { hint: 'move the entries of one file into the other and delete it' });
  }
  if (!present.length) return undefined;
  const file = join(relBase, present[0]);
  const yaml = readYamlFile(join(dir, present[0]), file);
  const data = (yaml.data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) throw yaml.error('expected a mapping with a packages: list', []);
  for (const k of Object.keys(data)) {
    if (k === 'packages') continue;
    if (k === 'projects') throw yaml.error(`'projects:' (dbt Mesh cross-project refs) is not supported by tsql`, [k]);
    throw yaml.error(`unknown key '${k}'`, [k], didYouMean(k, ['packages']));
  }
  const list = data.packages ?? [];
  if (!Array.isArray(list)) throw yaml.error("'packages' must be a list", ['packages']);
  const specs = list.map((entry, i) => readSpec(entry, yaml, ['packages', i]));
  const sha1 = createHash('sha1').update(JSON.stringify(list)).digest('hex');
  return { file, specs, sha1, yaml };
}

function readSpec(entry: unknown, yaml: YamlFile, path: (string | number)[]): PackageSpec {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw yaml.error('a package entry must be a mapping (local:, git:, tarball: or package:)', path);
  const e = entry as Record<string, unknown>;
  const line = yaml.lineOf(path);
  const kind: PackageSpec['kind'] | undefined = 'local' in e ? 'local' : 'git' in e ? 'git' : 'tarball' in e ? 'tarball' : 'package' in e ? 'hub' : undefined;
  if (!kind) {
    if ('private' in e) throw yaml.error("'private:' packages (dbt Cloud's git integration) are not supported; use git: with the repository URL", path);
    throw yaml.error(`a package entry needs one of local:, git:, tarball:, package: (found ${Object.keys(e).join(', ') || 'nothing'})`, path);
  }
  for (const k of Object.keys(e)) {
    if (!KEYS[kind].includes(k)) throw yaml.error(`unknown key '${k}' in a ${kind === 'hub' ? 'package:' : kind + ':'} entry`, [...path, k], didYouMean(k, KEYS[kind]));
  }
  const str = (k: string, required: boolean): string | undefined => {
    const v = e[k];
    if (v === undefined || v === null) {
      if (required) throw yaml.error(`'${k}' is required in a ${kind === 'hub' ? 'package:' : kind + ':'} entry`, path);
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') throw yaml.error(`'${k}' must be a string`, [...path, k]);
    const s = String(v);
    if (s.includes('{{')) throw yaml.error(`'${k}' holds a Jinja expression; tsql does not render packages.yml`, [...path, k], 'write the value out');
    return s;
  };
  switch (kind) {
    case 'local':
      return { kind, local: str('local', true)!, line };
    case 'git':
      return { kind, git: str('git', true)!, revision: str('revision', false), subdirectory: str('subdirectory', false), line };
    case 'tarball':
      return { kind, tarball: str('tarball', true)!, name: str('name', true)!, line };
    case 'hub': {
      const pkg = str('package', true)!;
      if (!/^[^/\s]+\/[^/\s]+$/.test(pkg)) throw yaml.error(`package '${pkg}' must be written org/name, as on the dbt package hub`, [...path, 'package']);
      const v = e.version;
      if (v === undefined || v === null) throw yaml.error(`'version' is required for hub package '${pkg}'`, path, "e.g. version: [\">=1.0.0\", \"<2.0.0\"]");
      const version = (Array.isArray(v) ? v : [v]).map((x, j) => {
        if (typeof x !== 'string' && typeof x !== 'number') throw yaml.error("'version' must be a string or a list of strings", [...path, 'version', j]);
        return String(x);
      });
      return { kind, package: pkg, version, line };
    }
  }
}
