/**
 * One e2e scenario on DuckDB and on the test PostgreSQL server: a project
 * factory per engine whose CLI runs get the credentials they need, and a way
 * to read rows from the project's schema (`$s` in SQL names it).
 */
import { pgConnection, pgProfile, pgQuery, useSchemas } from './pg-server.js';
import { useProjects, type CliResult, type TempProject } from './project.js';

export type LocalEngine = 'duckdb' | 'postgres';
export const LOCAL_ENGINES: LocalEngine[] = ['duckdb', 'postgres'];

export interface EngineProject {
  p: TempProject;
  engine: LocalEngine;
  /** the project's schema, as written in the profile */
  schema: string;
  tsql(args: string[]): CliResult;
  /** rows of a query; `$s` is the project's schema, quoted */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';

export function useEngineProjects(prefix: string): (engine: LocalEngine, files: Record<string, string>) => EngineProject {
  const project = useProjects();
  const schemas = useSchemas();
  return (engine, files) => {
    if (engine === 'duckdb') {
      const p = project(files);
      return { p, engine, schema: 'main', tsql: (args) => p.tsql(args), query: (sql) => p.query(sql.replaceAll('$s', '"main"')) };
    }
    const schema = schemas(prefix);
    const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV) });
    const env = { [PASSWORD_ENV]: pgConnection().password };
    return { p, engine, schema, tsql: (args) => p.tsql(args, env), query: (sql) => pgQuery(sql.replaceAll('$s', `"${schema}"`)) };
  };
}

/** stdout and stderr of a run, for assertions and failure messages. */
export function output(r: CliResult): string {
  return r.stdout + r.stderr;
}
