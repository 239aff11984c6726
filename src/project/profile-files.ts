import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { UserError } from '../errors.js';
import type { YamlFile } from '../util/yaml-file.js';

/**
 * The first file an output names (its adapter's fileKeys: certificates, key
 * files; not the words its fileKeyWords lists) that is missing, not a file, or not readable, as an error at the
 * key's line; undefined when all are there. Paths are relative to the project
 * directory, or absolute. Only the path is ever shown, never the contents.
 */
export function unreadableOutputFile(
  output: Record<string, unknown>,
  { fileKeys, fileKeyWords }: { fileKeys: readonly string[]; fileKeyWords: Readonly<Record<string, string>> },
  projectDir: string,
  yaml: YamlFile,
  path: string[],
): UserError | undefined {
  for (const key of fileKeys) {
    const value = output[key];
    // a word that names no file (sslrootcert: system)
    if (typeof value !== 'string' || fileKeyWords[key] === value) continue;
    const abs = resolve(projectDir, value);
    const problem = fileProblem(abs);
    if (problem) {
      const where = abs === value ? '' : ` (${abs})`;
      return yaml.error(`${key}: ${value}${where} ${problem}`, [...path, key], isAbsolute(value) ? undefined : 'a relative path starts at the project directory');
    }
  }
  return undefined;
}

function fileProblem(abs: string): string | undefined {
  try {
    if (!statSync(abs).isFile()) return 'is not a file';
    accessSync(abs, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
    return `cannot be read (${code ?? (e as Error).message})`;
  }
}
