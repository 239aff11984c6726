import { UserError } from '../errors.js';
import { lastUndefined } from './environment.js';
import { isStackOverflow } from './jinja/render-budget.js';

export { isStackOverflow };

interface NunjucksError extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

/** Finds a UserError raised from inside a template (raise_compiler_error, ref to nothing…). */
function innerUserError(e: unknown): UserError | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur; i++) {
    if (cur instanceof UserError) return cur;
    cur = (cur as NunjucksError).cause;
  }
  return undefined;
}

/** Strips nunjucks' "(path) [Line 3, Column 5]" prefix and its error-class names. */
function cleanMessage(msg: string): string {
  let m = msg.replace(/^Template render error:\s*/, '');
  m = m.replace(/^\([^)\n]*\)(\s*\[Line \d+(, Column \d+)?\])?\s*/, '');
  m = m.replace(/^(Template render error|Error|TypeError|ReferenceError|RangeError):\s*/g, '');
  m = m.replace(/^\([^)\n]*\)(\s*\[Line \d+(, Column \d+)?\])?\s*/, '');
  m = m.replace(/^(Template render error|Error|TypeError|ReferenceError|RangeError):\s*/g, '');
  return m.split('\n').map((s) => s.trim()).filter(Boolean).join(' ');
}

/** Turns anything thrown while compiling or rendering a template into one user-facing error. */
export function templateError(e: unknown, file: string, fallbackLine?: number, source?: string): UserError {
  const inner = innerUserError(e);
  const err = e as NunjucksError;
  // nunjucks numbers lines from 0 where it wraps a JS error (it has a cause), from 1 where it raised the error itself.
  let line = typeof err?.lineno === 'number' ? (err.cause ? err.lineno + 1 : err.lineno) : undefined;
  if (!line && /end of file/.test(String(err?.message)) && source !== undefined) line = source.replace(/\n$/, '').split('\n').length;
  line = line || inner?.place.line || fallbackLine;
  if (inner) {
    if (inner.place.file) return inner;
    return new UserError(inner.message, { file, line }, { hint: inner.hint });
  }
  let message = cleanMessage(String(err?.message ?? e));
  const parserPrefix = /^parse[A-Za-z]*:\s*/.exec(message);
  if (parserPrefix) message = `template syntax error: ${message.slice(parserPrefix[0].length)}`;
  let hint: string | undefined;
  if (!inner && isStackOverflow(e)) {
    message = 'the template recursed too deeply';
    hint = 'a macro that calls itself without end?';
  } else if (/attempted to output null or undefined value/.test(message)) {
    const name = lastUndefined();
    message = name ? `'${name}' is undefined` : 'a value in {{ … }} is undefined';
    hint = 'check the spelling, or pass it with --vars / define it with {% set %}';
  } else if (/Unable to call `([^`]+)`, which is undefined or falsey/.test(message)) {
    const name = /Unable to call `([^`]+)`/.exec(message)![1];
    message = `'${name}' is not a macro or function`;
    hint = 'macros must be defined in a macro-paths file; check the name';
  } else if (/unknown block tag: materialization\b/.test(message)) {
    message = 'custom materializations ({% materialization %}) are not supported';
    hint = 'tsql builds view, table, incremental, ephemeral and unload models itself, each swapped in atomically; see "How tsql differs from dbt" in the README';
  } else if (message.startsWith('template syntax error')) {
    // already classified
  } else if (/^(unknown block tag|expected|unexpected|parseAggregate|unterminated|Unexpected)/i.test(message) || /block end|variable end/.test(message)) {
    message = `template syntax error: ${message}`;
  }
  return new UserError(message, { file, line }, { hint });
}
