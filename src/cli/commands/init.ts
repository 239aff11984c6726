import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../errors.js';

const files = (name: string): Record<string, string> => ({
  'tsql_project.yml': `name: ${name}
profile: ${name}
version: "1.0.0"

model-paths: ["models"]
seed-paths: ["seeds"]
macro-paths: ["macros"]
test-paths: ["tests"]
target-path: "target"
clean-targets: ["target"]

models:
  ${name}:
    +materialized: view
    marts:
      +materialized: table
`,
  'profiles.yml': `${name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: ${name}.duckdb
      schema: main
      threads: 4
`,
  'seeds/raw_customers.csv': `id,name,signup_date
1,Ada,2024-01-01
2,Grace,2024-01-02
3,Linus,2024-01-03
`,
  'models/staging/stg_customers.sql': `select id as customer_id, name, cast(signup_date as date) as signup_date
from {{ ref('raw_customers') }}
`,
  'models/marts/customers.sql': `select customer_id, name, signup_date
from {{ ref('stg_customers') }}
`,
  'models/schema.yml': `version: 2
models:
  - name: customers
    description: One row per customer.
    columns:
      - name: customer_id
        description: Primary key.
        data_tests: [not_null, unique]
`,
  'macros/.gitkeep': '',
  'tests/.gitkeep': '',
  '.gitignore': 'target/\n*.duckdb\n*.duckdb.wal\n',
});

/** Scaffolds a new project in ./<name> (or the current directory with --here semantics when it is empty). */
export async function initCommand(name: string | undefined, parentDir: string): Promise<number> {
  const projectName = name ?? 'my_project';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(projectName)) {
    throw new UserError(`project name '${projectName}' must be letters, digits and underscores, not starting with a digit`, {}, { hint: `e.g. tsql init ${projectName.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')}` });
  }
  const dir = resolve(parentDir, projectName);
  if (existsSync(join(dir, 'tsql_project.yml')) || existsSync(join(dir, 'dbt_project.yml'))) {
    throw new UserError(`${dir} already holds a project`, {}, { hint: 'choose another name' });
  }
  for (const [rel, text] of Object.entries(files(projectName))) {
    const abs = join(dir, rel);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, text);
  }
  process.stdout.write(`Created project '${projectName}' in ${dir}\nNext: cd ${projectName} && npx tsql build\n`);
  return 0;
}
