import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const files = {
  'models/groups.yml': `groups:
  - name: finance
    owner: {name: Finance team, email: finance@example.com}
models:
  - name: ledger
    group: finance
    access: private
    columns:
      - name: id
        tests: [not_null]
  - name: finance_report
    config:
      group: finance
`,
  'models/ledger.sql': `select 1 as id`,
  'models/finance_report.sql': `select * from {{ ref('ledger') }}`,
};

describe('groups and access', () => {
  it('a private model is ref-able from its group (and tested)', () => {
    const p = project(files);
    const r = p.tsql(['build']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(p.tsql(['ls', '--select', 'group:finance', '--resource-type', 'model', '--output', 'name']).stdout.trim().split('\n').sort()).toEqual(['finance_report', 'ledger']);
    expect(p.tsql(['ls', '--select', 'access:private', '--resource-type', 'model', '--output', 'name']).stdout.trim()).toBe('ledger');
    expect(p.tsql(['ls', '--select', 'access:privat']).code).toBe(2);
  });

  it("a ref to a private model from outside its group is an error naming the ref's file and line", () => {
    const p = project({ ...files, 'models/marketing.sql': `-- reads finance data\nselect *\nfrom {{ ref('ledger') }}` });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/marketing.sql:3: model 'marketing' refs 'ledger', which is private to group 'finance' (put 'marketing' in group 'finance', or make 'ledger' protected or public)");
  });

  it('an undeclared group or a bad access level is an error', () => {
    const p = project({ ...files, 'models/other.sql': `{{ config(group='finanse', access='secret') }} select 1 as x` });
    const r = p.tsql(['compile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("model 'other' is in group 'finanse', which no groups: entry declares (did you mean 'finance'?)");
    expect(r.stderr).toContain("access must be private, protected or public, got 'secret'");
  });
});
