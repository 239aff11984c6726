import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

describe('a failed project hook', () => {
  it('names the line of its entry in the project file, in the closing note and the JSON done event', () => {
    const p = project({
      'tsql_project.yml': [
        'name: shop',
        'profile: shop',
        'on-run-start:',
        '  - "select 1"',
        'on-run-end:',
        '  - "select 2"',
        '  - "select * from no_such_table"',
        '',
      ].join('\n'),
      'models/a.sql': 'select 1 as x',
    });
    const r = p.tsql(['build']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/Failure in hook \(tsql_project\.yml:7\)\n.*on-run-end hook 2: .*no_such_table/);

    const json = p.tsql(['build', '--log-format', 'json']);
    const done = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; failures?: Array<Record<string, unknown>> })
      .find((e) => e.type === 'done')!;
    expect(done.failures).toEqual([expect.objectContaining({ label: 'hook', file: 'tsql_project.yml', line: 7, message: expect.stringMatching(/^on-run-end hook 2: /) })]);
  });

  it('of a hook rendered as it runs (it asks the warehouse), and of one written as a single string', () => {
    const projectFile = [
      'name: shop',
      'profile: shop',
      'on-run-start: "select * from missing_at_start"',
      'on-run-end:',
      '  - "select 1"',
      "  - \"{% set r = run_query('select 1 as n') %}select * from missing_{{ r.columns[0].values()[0] if execute else 0 }}\"",
      '',
    ];
    const p = project({ 'tsql_project.yml': projectFile.join('\n'), 'models/a.sql': 'select 1 as x' });
    const start = p.tsql(['build']);
    expect(start.code).toBe(1);
    expect(start.stdout).toMatch(/Failure in hook \(tsql_project\.yml:3\)\n.*on-run-start hook 1: .*missing_at_start/);

    p.write({ 'tsql_project.yml': projectFile.filter((l) => !l.startsWith('on-run-start')).join('\n') });
    const end = p.tsql(['build']);
    expect(end.code).toBe(1);
    expect(end.stdout).toMatch(/Failure in hook \(tsql_project\.yml:5\)\n.*on-run-end hook 2: .*missing_1/);
  });
});
