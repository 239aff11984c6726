import { renderJunit } from './junit.js';
import { writeReportFile, type RunReport } from './run-report.js';
import { renderSummaryMd } from './summary-md.js';

/** Writes the reports CI asked for (--junit-xml, --summary-md). */
export function writeCiReports(paths: { junitXml?: string; summaryMd?: string }, report: RunReport): void {
  if (paths.junitXml) writeReportFile(paths.junitXml, renderJunit(report));
  if (paths.summaryMd) writeReportFile(paths.summaryMd, renderSummaryMd(report));
}
