import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';

const project = useProjects();

const files = {
  'models/stg_orders.sql': 'select 1 as id',
  'models/orders.sql': "select * from {{ ref('stg_orders') }}",
  'models/big_report.sql': "{{ config(tags=['slow']) }} select * from {{ ref('orders') }}",
};

describe('a selector that matches no node, beside others that match', () => {
  it('--select with one mistyped name among others: exit 2 with the closest name, nothing run', async () => {
    const p = project(files);
    const r = p.tsql(['run', '--select', 'orders', 'stg_ordrs']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: --select 'stg_ordrs' matches no node (did you mean 'stg_orders'?)");
    expect(r.stdout).not.toContain('START');
  });

  it('--exclude with a mistyped name would run what was meant to be left out: exit 2', () => {
    const p = project(files);
    const r = p.tsql(['build', '--exclude', 'big_reprt']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: --exclude 'big_reprt' matches no node (did you mean 'big_report'?)");
    expect(r.stdout).not.toContain('START');
    const tag = p.tsql(['run', '--exclude', 'tag:slw']);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toContain("--exclude 'tag:slw' matches no node (did you mean 'tag:slow'?)");
    // ls, compile and source freshness follow the same rule
    expect(p.tsql(['ls', '--select', 'orders', 'stg_ordrs']).stderr).toContain("--select 'stg_ordrs' matches no node");
    expect(p.tsql(['ls', '--exclude', 'big_reprt']).code).toBe(2);
  });

  it('each part of an intersection counts; --allow-empty-selection makes it a warning', () => {
    const p = project(files);
    const inter = p.tsql(['ls', '--select', 'tag:slow,tag:nghtly']);
    expect(inter.code).toBe(2);
    expect(inter.stderr).toContain("--select 'tag:nghtly' matches no node");
    const ok = p.tsql(['run', '--exclude', 'big_report', '--select', 'stg_orders+']);
    expect(ok.code).toBe(0);
    const allowed = p.tsql(['run', '--exclude', 'big_reprt', '--allow-empty-selection']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("warning: --exclude 'big_reprt' matches no node (did you mean 'big_report'?); allowed by --allow-empty-selection");
    expect(allowed.stdout).toContain('OK created sql view model main.big_report');
  });
});
