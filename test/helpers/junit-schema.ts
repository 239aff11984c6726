import { expect } from 'vitest';
import { childrenNamed, parseXml, type XmlElement } from './xml.js';

/**
 * The rules of the JUnit XML schema CI tools read (Jenkins' junit.xsd, which
 * GitLab and the GitHub reporters follow): which elements go where, their
 * attributes, and counts that agree with the test cases. Returns the suite.
 */
export function checkJunit(xml: string): XmlElement {
  const root = parseXml(xml);
  expect(root.name).toBe('testsuites');
  allowed(root, ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp']);
  const suites = root.children;
  expect(suites.map((s) => s.name)).toEqual(['testsuite']);
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const suite of suites) {
    allowed(suite, ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp', 'hostname', 'id', 'package', 'file'], ['name', 'tests', 'failures', 'errors', 'time', 'timestamp']);
    expect(suite.attrs.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(suite.attrs.time).toMatch(/^\d+(\.\d+)?$/);
    // properties?, testcase*, system-out?, system-err?
    const order = suite.children.map((c) => c.name).join(' ');
    expect(order).toMatch(/^(properties ?)?(testcase ?)*(system-out ?)?(system-err)?$/);
    for (const props of childrenNamed(suite, 'properties')) {
      for (const p of props.children) {
        expect(p.name).toBe('property');
        allowed(p, ['name', 'value'], ['name', 'value']);
      }
    }
    const cases = childrenNamed(suite, 'testcase');
    const count = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
    for (const c of cases) {
      allowed(c, ['name', 'classname', 'time', 'file', 'line', 'assertions', 'status'], ['name', 'classname', 'time']);
      expect(c.attrs.time).toMatch(/^\d+(\.\d+)?$/);
      const kinds = c.children.map((x) => x.name);
      for (const k of kinds) expect(['skipped', 'error', 'failure', 'system-out', 'system-err']).toContain(k);
      expect(kinds.filter((k) => k === 'skipped' || k === 'error' || k === 'failure').length).toBeLessThanOrEqual(1);
      for (const x of c.children) {
        if (x.name === 'failure' || x.name === 'error') allowed(x, ['message', 'type']);
        if (x.name === 'skipped') allowed(x, ['message']);
        if (x.name.startsWith('system-')) allowed(x, []);
        expect(x.children).toEqual([]);
      }
      if (kinds.includes('failure')) count.failures++;
      if (kinds.includes('error')) count.errors++;
      if (kinds.includes('skipped')) count.skipped++;
    }
    expect({ tests: Number(suite.attrs.tests), failures: Number(suite.attrs.failures), errors: Number(suite.attrs.errors), skipped: Number(suite.attrs.skipped ?? 0) }).toEqual(count);
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += count[k];
  }
  expect({ tests: Number(root.attrs.tests), failures: Number(root.attrs.failures), errors: Number(root.attrs.errors), skipped: Number(root.attrs.skipped ?? 0) }).toEqual(totals);
  return suites[0];
}

function allowed(el: XmlElement, names: string[], required: string[] = []): void {
  for (const k of Object.keys(el.attrs)) expect(names, `attribute '${k}' on <${el.name}>`).toContain(k);
  for (const k of required) expect(el.attrs, `<${el.name}> needs '${k}'`).toHaveProperty(k);
}

/** The suite's test case with that name. */
export function testcase(suite: XmlElement, name: string): XmlElement {
  const c = childrenNamed(suite, 'testcase').find((x) => x.attrs.name === name);
  expect(c, `testcase ${name}`).toBeDefined();
  return c!;
}
