import { readFileSync } from 'node:fs';
import { codePath } from './paths.js';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(codePath('../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const TSQL_VERSION = readVersion();

/**
 * What `dbt_version` answers in templates: the dbt whose context tsql's templates follow.
 * Packages compare it as a string to pick dbt's own cross-database macros over their copies
 * (`{% if dbt_version >= '1.2.0' %}{{ return(dbt.concat(fields)) }}`), which tsql has. (A
 * `1.10` would compare below `1.2` as a string, in dbt too.)
 */
export const DBT_COMPATIBLE_VERSION = '1.9.0';
