import { adapterFactory } from '../../adapters/registry.js';
import type { Adapter } from '../../adapters/types.js';
import { isUserError, UserErrors, type UserError } from '../../errors.js';
import { describeProject } from './describe.js';
import { loadProjectFile } from '../../project/project-file.js';
import { chosenProfile, findProfilesFile, redactOutput, resolveTarget } from '../../project/profiles.js';
import { TSQL_VERSION } from '../../version.js';
import type { ParsedOptions } from '../options.js';
import { closeSession, openSession, type Session } from '../session.js';

/** Shows what tsql would use and checks the connection; never prints a credential. */
export async function debugCommand(options: ParsedOptions): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`tsql version: ${TSQL_VERSION}`);
  out(`node: ${process.version} on ${process.platform}-${process.arch}`);
  out(`project dir: ${options.projectDir}`);
  const settings = loadProjectFile(options.projectDir, { targetPath: options.targetPath });
  out(`project file: ${settings.file} [OK found and valid]`);
  out(`  name: ${settings.name}, profile: ${options.profile ?? settings.profile}`);
  out(`profiles.yml: ${findProfilesFile(options.projectDir, options.profilesDir) ?? 'not found'}`);
  const target = resolveTarget({ projectDir: options.projectDir, profilesDir: options.profilesDir, ...chosenProfile(options.profile, settings), targetName: options.target, vars: options.vars });
  out(`target: ${target.targetName} (type ${target.type})`);
  for (const [k, v] of Object.entries(redactOutput(target.output))) out(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  const adapter = adapterFactory(target.type)!.create(target.output, { projectDir: options.projectDir, threads: 1 });
  let ok = await checkConnection(adapter, 'connection', out);
  let compiles = true;
  try {
    const other = await checkOtherConnections(options, target.targetName, out);
    ok = other.ok && ok;
    compiles = other.compiles;
  } finally {
    await adapter.close();
  }
  if (ok && compiles) out('All checks passed!');
  // a project that does not compile is a mistake in the project (2), as for every other command
  return !compiles ? 2 : ok ? 0 : 1;
}

async function checkConnection(adapter: Adapter, label: string, out: (s: string) => void): Promise<boolean> {
  try {
    await adapter.withConnection((c) => c.query('select 1 as ok'));
    out(`${label}: ${adapter.describe()} [OK connection ok]`);
    return true;
  } catch (e) {
    if (isUserError(e)) throw e;
    out(`${label}: ${adapter.describe()} [ERROR] ${(e as Error).message.split('\n')[0]}`);
    return false;
  }
}

/**
 * Compiles the project (nothing is sent to the warehouse), then checks the other outputs its
 * nodes run on (`connection:`). A project that does not compile is reported with each error's
 * file and line.
 */
async function checkOtherConnections(options: ParsedOptions, targetName: string, out: (s: string) => void): Promise<{ ok: boolean; compiles: boolean }> {
  let session: Session;
  try {
    session = await openSession(options, { which: 'debug', readCatalog: false });
  } catch (e) {
    if (!isUserError(e)) throw e;
    const errors = e instanceof UserErrors ? e.errors : [e as UserError];
    out(`project: [ERROR] the project does not compile (${errors.length} error${errors.length === 1 ? '' : 's'}; other connections not checked)`);
    for (const err of errors) process.stderr.write(`error: ${err.format()}\n`);
    return { ok: true, compiles: false };
  }
  out(`project: [OK compiles] ${describeProject(session.compiled.manifest)}`);
  let ok = true;
  try {
    for (const w of session.warehouses.values()) {
      if (w.name !== targetName) ok = (await checkConnection(w.adapter, `connection '${w.name}'`, out)) && ok;
    }
  } finally {
    await closeSession(session);
  }
  return { ok, compiles: true };
}
