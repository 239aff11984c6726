import { mkdirSync, writeFileSync } from 'node:fs';
import { scrubSecrets } from '../util/secrets.js';
import { dirname } from 'node:path';
import type { ManifestNode } from '../compiler/nodes.js';
import type { NodeResult } from '../execution/run-plan.js';
import type { ModelDiff } from '../diff/model-diff.js';

/** One executed (or skipped) node, as the CI reports show it. */
export interface ReportNode {
  uniqueId: string;
  resourceType: string;
  /** resource type, package and folders: `model.shop.staging` */
  classname: string;
  /** the node as people name it: `stg_orders`, `retail.user_purchase`, `stg_orders::casts_ids` */
  name: string;
  /** the file it is declared in, relative to the project */
  file: string;
  /** view, table, incremental, unload, seed, external, test, unit_test */
  materialization: string;
  status: string;
  message: string;
  failures?: number;
  compiledPath?: string;
  rowsAffected?: number;
  seconds: number;
  /** the run date, in a backfill (several days in one report) */
  runDate?: string;
}

/** Everything one invocation reports to CI (JUnit XML, markdown summary). */
export interface RunReport {
  /** `build`, or `retry (build)` */
  command: string;
  target?: string;
  adapterType?: string;
  startedAt: Date;
  seconds: number;
  runDates: string[];
  nodes: ReportNode[];
  /** on-run-start / on-run-end failures */
  hookErrors: string[];
  /** what stopped the invocation: a mistake (exit 2, nothing ran), the warehouse out of reach (exit 1) */
  stopErrors: string[];
  /** said to the reader: why nothing ran, what a backfill left out */
  notes: string[];
  /** `tsql diff`, `build --diff`: each compared model against production */
  dataDiff?: ModelDiff[];
  exitCode: number;
}

/** A report with nothing in it yet. */
export function newReport(command: string): RunReport {
  return { command, startedAt: new Date(), seconds: 0, runDates: [], nodes: [], hookErrors: [], stopErrors: [], notes: [], exitCode: 0 };
}

/** The reports' view of one node's result. */
export function reportNode(node: ManifestNode, materialization: string, r: NodeResult, runDate?: string): ReportNode {
  const folders = node.fqn.slice(0, -1);
  return {
    uniqueId: r.uniqueId,
    resourceType: node.resourceType,
    classname: [node.resourceType, ...folders].join('.'),
    name: displayName(node),
    file: node.originalFilePath,
    materialization,
    status: r.status,
    message: r.message,
    failures: r.failures,
    compiledPath: r.compiledPath,
    rowsAffected: r.rowsAffected,
    seconds: r.executionTime,
    runDate,
  };
}

function displayName(n: ManifestNode): string {
  if (n.resourceType === 'source') return `${n.sourceName}.${n.name}`;
  if (n.resourceType === 'unit_test') return `${n.model.split('.').pop()}::${n.name}`;
  return n.name;
}

/** PASS / WARN / ERROR / SKIP as the closing line counts them (a failed test is an ERROR). */
export function reportCounts(report: RunReport): { pass: number; warn: number; error: number; skip: number; total: number } {
  const c = { pass: 0, warn: 0, error: 0, skip: 0, total: report.nodes.length };
  for (const n of report.nodes) {
    if (n.status === 'success' || n.status === 'pass') c.pass++;
    else if (n.status === 'warn') c.warn++;
    else if (n.status === 'skipped') c.skip++;
    else c.error++;
  }
  c.error += report.hookErrors.length + report.stopErrors.length;
  return c;
}

/** Writes a report file, creating its folders (the path is already absolute). */
export function writeReportFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, scrubSecrets(text));
}
