import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('groups: description, config.meta and the manifest', () => {
  const described = {
    ...files,
    'models/groups.yml': files['models/groups.yml'].replace(
      '    owner: {name: Finance team, email: finance@example.com}\n',
      "    owner: {name: Finance team, email: finance@example.com, slack: '#finance'}\n    description: Ledgers and the reports built on them\n    config:\n      meta: {tier: 1, pager: finance-oncall}\n",
    ),
    'packages.yml': 'packages:\n  - local: vendor/pkg_ops\n',
    'vendor/pkg_ops/dbt_project.yml': "name: pkg_ops\nversion: '1.0.0'\nconfig-version: 2\n",
    'vendor/pkg_ops/models/ops/ops.yml': 'groups:\n  - name: ops\n    owner: {email: ops@example.com}\nmodels:\n  - name: uptime\n    config: {group: ops}\n',
    'vendor/pkg_ops/models/ops/uptime.sql': 'select 1 as up',
  };

  it("writes each group (the packages' too) under manifest.json's groups, and each node's group", () => {
    const p = project(described);
    expect(p.tsql(['deps']).code).toBe(0);
    const r = p.tsql(['parse']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(p.dir, 'target', 'manifest.json'), 'utf8'));
    expect(m.groups).toEqual({
      'group.shop.finance': {
        name: 'finance',
        resource_type: 'group',
        package_name: 'shop',
        path: 'groups.yml',
        original_file_path: 'models/groups.yml',
        unique_id: 'group.shop.finance',
        owner: { name: 'Finance team', email: 'finance@example.com', slack: '#finance' },
        description: 'Ledgers and the reports built on them',
        config: { meta: { tier: 1, pager: 'finance-oncall' } },
      },
      'group.pkg_ops.ops': {
        name: 'ops',
        resource_type: 'group',
        package_name: 'pkg_ops',
        path: 'ops/ops.yml',
        original_file_path: 'models/ops/ops.yml',
        unique_id: 'group.pkg_ops.ops',
        owner: { email: 'ops@example.com' },
        description: null,
        config: { meta: {} },
      },
    });
    expect(m.nodes['model.shop.ledger']).toMatchObject({ group: 'finance', access: 'private' });
    expect(m.nodes['model.shop.finance_report']).toMatchObject({ group: 'finance', access: 'protected' });
    expect(m.nodes['model.pkg_ops.uptime'].group).toBe('ops');
    expect(m.group_map).toEqual({ finance: ['model.shop.finance_report', 'model.shop.ledger'], ops: ['model.pkg_ops.uptime'] });
  });

  it("an unknown key under a group's config is an error naming its line, with the key meant", () => {
    const p = project({ ...files, 'models/groups.yml': files['models/groups.yml'].replace('    owner: {name: Finance team, email: finance@example.com}\n', '    owner: {name: Finance team}\n    config:\n      mtea: {tier: 1}\n') });
    const r = p.tsql(['parse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/groups.yml:5: unknown key 'mtea' in the config of group 'finance' (did you mean 'meta'?)");
    // meta beside config, where dbt does not read it, says where it goes
    p.write({ 'models/groups.yml': files['models/groups.yml'].replace('    owner: {name: Finance team, email: finance@example.com}\n', '    owner: {name: Finance team}\n    meta: {tier: 1}\n') });
    const top = p.tsql(['parse']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("models/groups.yml:4: unknown key 'meta' in group 'finance' (write it under config: config: {meta: {…}})");
  });

  it("a group's meta that is not a mapping is an error naming its line, and nothing runs", () => {
    const p = project({ ...files, 'models/groups.yml': files['models/groups.yml'].replace('    owner: {name: Finance team, email: finance@example.com}\n', '    owner: {name: Finance team}\n    config:\n      meta: [tier-1]\n') });
    const r = p.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/groups.yml:5: 'meta' of group 'finance' must be a mapping");
    // the group is still declared: its models raise no second error
    expect(r.stderr).not.toContain('no groups: entry declares');
    expect(r.stdout).toBe('');
    expect(existsSync(p.dbPath)).toBe(false);
  });
});
