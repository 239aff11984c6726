/**
 * Static facts about template text, for state comparison: the source of each
 * macro in a file, and the macros a template (or macro) calls. Static on
 * purpose: a macro called only under `{% if target.name == 'prod' %}` is still
 * a dependency, so comparing two environments sees it on both sides.
 */

/** `{% macro name(…) %} … {% endmacro %}` (and dbt's `{% test %}` blocks, as `test_<name>`), by name. */
export function macroSources(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const start = /\{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const end = new RegExp(`\\{%-?\\s*end${m[1]}\\s*-?%\\}`, 'g');
    end.lastIndex = m.index;
    const e = end.exec(text);
    const stop = e ? e.index + e[0].length : text.length;
    out.set(m[1] === 'test' ? `test_${m[2]}` : m[2], text.slice(m.index, stop));
    start.lastIndex = stop;
  }
  return out;
}

/** The text inside `{{ … }}` and `{% … %}` blocks (comments and plain SQL left out). */
function jinjaCode(text: string): string {
  // a scan with indexOf: a regex with two lazy alternatives cost more than the rest of this module on a large project
  const parts: string[] = [];
  for (let i = text.indexOf('{'); i >= 0; ) {
    const next = text.charCodeAt(i + 1);
    const close = next === 123 /* { */ ? '}}' : next === 37 /* % */ ? '%}' : undefined;
    const end = close ? text.indexOf(close, i + 2) : -1;
    if (end < 0) {
      i = text.indexOf('{', i + 1);
      continue;
    }
    parts.push(text.slice(i + 2, end));
    i = text.indexOf('{', end + 2);
  }
  return parts.join('\n');
}

/**
 * Names of known macros that `text` calls: `name(` inside Jinja code, and
 * every implementation `adapter.dispatch('name')` may pick
 * (`<engine>__name`, `default__name`).
 */
export function calledMacros(text: string, known: ReadonlySet<string>): string[] {
  const code = jinjaCode(text);
  const out = new Set<string>();
  // `name(` and `dbt.name(` (dbt's namespace); not `| name(` (a filter) nor inside a string literal.
  const bare = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  const call = /(?<![\w.]|\|\s*)(?:dbt\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  for (let m = call.exec(bare); m; m = call.exec(bare)) if (known.has(m[1])) out.add(m[1]);
  const dispatch = /adapter\.dispatch\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]/g;
  for (let m = dispatch.exec(code); m; m = dispatch.exec(code)) {
    for (const name of known) if (name === m[1] || name.endsWith(`__${m[1]}`)) out.add(name);
  }
  return [...out].sort();
}
