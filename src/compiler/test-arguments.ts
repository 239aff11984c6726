/**
 * Jinja in a generic test's YAML: dbt renders each argument
 * (`values: "{{ var('statuses') }}"`, `field: "{{ var('key') }}"`) and each
 * config value (`where: "day >= '{{ var('start') }}'"`, `severity: "{{ 'warn'
 * if target.name == 'dev' else 'error' }}"`) natively: a value that is one
 * `{{ … }}` expression is what the expression gives (a list stays a list, a
 * number a number), other text is rendered to a string. Strings inside lists
 * and mappings are rendered the same way.
 */

import { asBoolean, TEMPLATE } from './yaml-jinja.js';

const ONE_EXPRESSION = /^\s*\{\{-?([\s\S]*?)-?\}\}\s*$/;

/** Renders `text` as a template to a string (`render`), or evaluates `expression` to its value (`evaluate`). */
export interface YamlJinja {
  render(text: string): string;
  evaluate(expression: string): unknown;
}

/** `value` with the Jinja in its strings rendered natively; the same object when it holds none. */
export function renderNative(value: unknown, jinja: YamlJinja): unknown {
  if (typeof value === 'string') {
    if (!TEMPLATE.test(value)) return value;
    const one = ONE_EXPRESSION.exec(value);
    if (one && !/\{\{|\}\}|\{%/.test(one[1])) return asBoolean(jinja.evaluate(one[1]));
    return asBoolean(jinja.render(value));
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => renderNative(v, jinja));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [k, renderNative(v, jinja)] as const);
    return entries.some(([k, v]) => v !== (value as Record<string, unknown>)[k]) ? Object.fromEntries(entries) : value;
  }
  return value;
}

/** Whether `value` holds Jinja anywhere (a string, or a string inside a list or mapping). */
export function holdsJinja(value: unknown): boolean {
  if (typeof value === 'string') return TEMPLATE.test(value);
  if (Array.isArray(value)) return value.some(holdsJinja);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsJinja);
  return false;
}
