import { diffMarkdown } from '../diff/diff-render.js';
import { reportCounts, type ReportNode, type RunReport } from './run-report.js';

/** How many of the slowest nodes the timings table lists. */
const SLOWEST = 5;

/**
 * The run as markdown for a pull request: a comment, or `$GITHUB_STEP_SUMMARY`.
 * What failed or warned comes first, then what was built, the tests, what was
 * skipped and the slowest nodes.
 */
export function renderSummaryMd(report: RunReport): string {
  const c = reportCounts(report);
  const result = report.exitCode === 0 ? 'passed' : report.exitCode === 2 ? 'stopped, nothing was run' : 'failed';
  const where = [report.target ? `target \`${report.target}\`` : '', report.adapterType ? `(${report.adapterType})` : ''].filter(Boolean).join(' ');
  const dates = report.runDates.length === 1 ? `, run date ${report.runDates[0]}` : report.runDates.length > 1 ? `, run dates ${report.runDates[0]} to ${report.runDates[report.runDates.length - 1]}` : '';
  const out: string[] = [
    `## tsql ${report.command}: ${result}`,
    '',
    report.dataDiff && !report.nodes.length
      ? `${where ? `On ${where}. ` : ''}Compared in ${report.seconds.toFixed(2)}s.`
      : `${where ? `On ${where}${dates}. ` : ''}PASS=${c.pass} WARN=${c.warn} ERROR=${c.error} SKIP=${c.skip} TOTAL=${c.total} in ${report.seconds.toFixed(2)}s.`,
  ];
  for (const n of report.notes) out.push('', cell(n));

  const problems = report.nodes.filter((n) => n.status === 'error' || n.status === 'partial success' || n.status === 'fail' || n.status === 'warn');
  if (problems.length || report.hookErrors.length || report.stopErrors.length) {
    out.push('', '### Failed or warned', '', '| node | status | message | failures |', '| --- | --- | --- | --- |');
    for (const e of report.stopErrors) out.push(row(['tsql', 'ERROR', e, '']));
    for (const h of report.hookErrors) out.push(row(['hook', 'ERROR', h, '']));
    const order = ['error', 'partial success', 'fail', 'warn'];
    for (const n of [...problems].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))) {
      const where = n.compiledPath ? ` (${n.compiledPath})` : ` (${n.file})`;
      out.push(row([nodeName(n), n.status.toUpperCase(), n.message + where, n.failures === undefined ? '' : String(n.failures)]));
    }
  }

  const built = report.nodes.filter((n) => n.status === 'success' && n.resourceType !== 'test' && n.resourceType !== 'unit_test');
  if (built.length) {
    out.push('', '### Built', '', '| node | materialization | rows | time |', '| --- | --- | --- | --- |');
    for (const n of built) out.push(row([nodeName(n), n.materialization, n.rowsAffected === undefined ? '' : String(n.rowsAffected), `${n.seconds.toFixed(2)}s`]));
  }

  const tests = report.nodes.filter((n) => n.resourceType === 'test' || n.resourceType === 'unit_test');
  if (tests.length) {
    const count = (status: string) => tests.filter((n) => n.status === status).length;
    const others = [['warned', count('warn')], ['failed', count('fail')], ['errored', count('error')], ['skipped', count('skipped')]].filter(([, k]) => k).map(([w, k]) => `${k} ${w}`);
    out.push('', '### Tests', '', `${count('pass')} of ${tests.length} test${tests.length === 1 ? '' : 's'} passed${others.length ? `; ${others.join(', ')}` : ''}.`);
  }

  if (report.dataDiff) out.push('', ...diffMarkdown(report.dataDiff, cell));

  const skipped = report.nodes.filter((n) => n.status === 'skipped');
  if (skipped.length) {
    out.push('', '### Skipped', '', '| node | reason |', '| --- | --- |');
    for (const n of skipped) out.push(row([nodeName(n), n.message]));
  }

  const ran = report.nodes.filter((n) => n.status !== 'skipped').sort((a, b) => b.seconds - a.seconds).slice(0, SLOWEST);
  if (ran.length) {
    out.push('', '### Slowest nodes', '', '| node | status | time |', '| --- | --- | --- |');
    for (const n of ran) out.push(row([nodeName(n), n.status, `${n.seconds.toFixed(2)}s`]));
  }
  return out.join('\n') + '\n';
}

function nodeName(n: ReportNode): string {
  const name = `${n.resourceType === 'unit_test' ? 'unit test' : n.resourceType} \`${n.name.replace(/`/g, "'")}\``;
  return n.runDate ? `${name} (${n.runDate})` : name;
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

/**
 * Text safe inside a markdown table cell: pipes escaped, newlines as <br>, and
 * HTML's `<`, `>`, `&` as entities so a message cannot become markup.
 * Backticks written by this module (node names) are left as they are.
 */
export function cell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, '<br>');
}
