/**
 * A wall-clock budget for rendering one template, so a loop or a recursive macro that never
 * ends is a user error instead of a compile that runs for ever.
 *
 * The loop and macro code the compatibility layer generates calls `tick()` once per loop
 * iteration and per macro call; every 1,024 ticks it compares the clock with the deadline
 * of the innermost render in progress. The budget is `TSQL_RENDER_TIMEOUT` seconds
 * (default 60) per template.
 */
import { UserError } from '../../errors.js';

const DEFAULT_SECONDS = 60;
/** Ticks between two looks at the clock. */
const CHECK_EVERY = 1024;

const deadlines: number[] = [];
let deadline = Infinity;
let ticks = 0;

/** The budget in seconds: TSQL_RENDER_TIMEOUT when it is a positive number, else 60. */
export function renderBudgetSeconds(): number {
  const raw = Number(process.env.TSQL_RENDER_TIMEOUT);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_SECONDS;
}

/** Runs `fn` (a render) with its own budget; nested renders (a ref rendering its target) get theirs. */
export function withRenderBudget<T>(fn: () => T): T {
  deadlines.push(deadline);
  deadline = Date.now() + renderBudgetSeconds() * 1000;
  try {
    return fn();
  } finally {
    deadline = deadlines.pop() ?? Infinity;
  }
}

/** True while some render with a budget is in progress. */
export function renderInProgress(): boolean {
  return deadline !== Infinity;
}

/** True when the innermost render in progress has run past its budget. */
export function budgetSpent(): boolean {
  return Date.now() > deadline;
}

/** Called by every loop iteration and macro call of a template. */
export function tick(): void {
  if (++ticks % CHECK_EVERY !== 0 || Date.now() <= deadline) return;
  throw new UserError(`rendering took longer than ${renderBudgetSeconds()} s`, {}, { hint: 'a loop or a recursive macro that does not end? raise the limit with TSQL_RENDER_TIMEOUT=<seconds>' });
}

/** A JavaScript stack overflow (deep template recursion), however nunjucks wrapped it. */
export function isStackOverflow(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur; i++) {
    if (/Maximum call stack size exceeded/.test(String((cur as Error).message))) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
