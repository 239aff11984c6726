import { hostname } from 'node:os';
import type { ReportNode, RunReport } from './run-report.js';

/**
 * The run as a JUnit XML report, the format every CI reads (GitHub Actions
 * reporters, GitLab's `artifacts:reports:junit`, Jenkins' junit step):
 * one <testsuite> per invocation, one <testcase> per node.
 *
 *   fail (a test)        <failure message="…" type="fail">
 *   error (any node)     <error message="…" type="error">
 *   skipped              <skipped message="…"/>
 *   warn                 passes, the warning in <system-out>
 */
export function renderJunit(report: RunReport): string {
  const cases = report.nodes.map(testcase);
  for (const h of report.hookErrors) cases.push(errorCase('hook', 'tsql.hooks', h, 0));
  for (const e of report.stopErrors) cases.push(errorCase('tsql', `tsql ${report.command}`, e, 0));
  const failures = report.nodes.filter((n) => n.status === 'fail').length;
  const errors = report.nodes.filter((n) => n.status === 'error' || n.status === 'partial success').length + report.hookErrors.length + report.stopErrors.length;
  const skipped = report.nodes.filter((n) => n.status === 'skipped').length;
  const counts = { tests: cases.length, failures, errors, skipped, time: seconds(report.seconds) };
  const properties = [
    ['command', report.command],
    ['target', report.target],
    ['adapter_type', report.adapterType],
    ['run_dates', report.runDates.join(' ')],
    ['exit_code', String(report.exitCode)],
  ].filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '');
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'tsql', ...counts })}>`,
    `  <testsuite${attrs({ name: 'tsql', ...counts, timestamp: timestamp(report.startedAt), hostname: hostname() })}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...cases.map((c) => c.map((l) => `    ${l}`).join('\n')),
    ...(report.notes.length ? [`    <system-out>${text(report.notes.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ];
  return out.join('\n');
}

function testcase(n: ReportNode): string[] {
  const name = n.runDate ? `${n.name} [${n.runDate}]` : n.name;
  const open = `<testcase${attrs({ name, classname: n.classname, file: n.file, time: seconds(n.seconds) })}>`;
  const details = describe(n);
  switch (n.status) {
    case 'fail':
      return [open, `  <failure${attrs({ message: headline(n), type: 'fail' })}>${text(details)}</failure>`, '</testcase>'];
    case 'error':
    case 'partial success':
      return [open, `  <error${attrs({ message: n.message, type: 'error' })}>${text(details)}</error>`, '</testcase>'];
    case 'skipped':
      return [open, `  <skipped${attrs({ message: n.message })}/>`, '</testcase>'];
    case 'warn':
      return [open, `  <system-out>${text(`WARN: ${details}`)}</system-out>`, '</testcase>'];
    default:
      return [open.replace(/>$/, '/>')];
  }
}

function errorCase(name: string, classname: string, message: string, time: number): string[] {
  return [`<testcase${attrs({ name, classname, time: seconds(time) })}>`, `  <error${attrs({ message, type: 'error' })}>${text(message)}</error>`, '</testcase>'];
}

/** A failed test's one line: its failing rows first. */
function headline(n: ReportNode): string {
  return n.failures !== undefined ? `${n.failures} failing row${n.failures === 1 ? '' : 's'}: ${n.message}` : n.message;
}

function describe(n: ReportNode): string {
  const lines = [headline(n), `${n.resourceType} ${n.uniqueId} (${n.file})`];
  if (n.compiledPath) lines.push(`compiled SQL: ${n.compiledPath}`);
  if (n.runDate) lines.push(`run date: ${n.runDate}`);
  return lines.join('\n');
}

function seconds(s: number): string {
  return s.toFixed(3);
}

/** ISO 8601 without a zone, as the JUnit schema has it (UTC). */
function timestamp(d: Date): string {
  return d.toISOString().slice(0, 19);
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${attribute(String(v))}"`)
    .join('');
}

/**
 * Characters XML 1.0 cannot hold at all (control characters other than tab,
 * newline and carriage return, lone surrogates, U+FFFE/U+FFFF) become U+FFFD.
 */
function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function text(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values keep their newlines and tabs as character references (parsers normalise raw ones to spaces). */
export function attribute(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
