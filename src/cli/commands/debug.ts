import { adapterFactory } from '../../adapters/registry.js';
import { isUserError } from '../../errors.js';
import { loadProjectFile } from '../../project/project-file.js';
import { findProfilesFile, redactOutput, resolveTarget } from '../../project/profiles.js';
import { TSQL_VERSION } from '../../version.js';
import type { ParsedOptions } from '../options.js';

/** Shows what tsql would use and checks the connection; never prints a credential. */
export async function debugCommand(options: ParsedOptions): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`tsql version: ${TSQL_VERSION}`);
  out(`node: ${process.version} on ${process.platform}-${process.arch}`);
  out(`project dir: ${options.projectDir}`);
  const settings = loadProjectFile(options.projectDir);
  out(`project file: ${settings.file} [OK found and valid]`);
  out(`  name: ${settings.name}, profile: ${settings.profile}`);
  out(`profiles.yml: ${findProfilesFile(options.projectDir, options.profilesDir) ?? 'not found'}`);
  const target = resolveTarget({ projectDir: options.projectDir, profilesDir: options.profilesDir, profileName: settings.profile, targetName: options.target, vars: options.vars });
  out(`target: ${target.targetName} (type ${target.type})`);
  for (const [k, v] of Object.entries(redactOutput(target.output))) out(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  const adapter = adapterFactory(target.type)!.create(target.output, { projectDir: options.projectDir, threads: 1 });
  try {
    await adapter.withConnection((c) => c.query('select 1 as ok'));
    out(`connection: ${adapter.describe()} [OK connection ok]`);
    out('All checks passed!');
    return 0;
  } catch (e) {
    if (isUserError(e)) throw e;
    out(`connection: ${adapter.describe()} [ERROR] ${(e as Error).message.split('\n')[0]}`);
    return 1;
  } finally {
    await adapter.close();
  }
}
