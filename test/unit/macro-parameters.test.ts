import { describe, expect, it } from 'vitest';
import { macroParameters } from '../../src/project/macros-yaml.js';

describe('macroParameters', () => {
  it('reads the names of a macro\'s parameters, defaults with commas and strings included', () => {
    expect(macroParameters(`{% macro a(x, y=fn(1, 2), z='a,)b', w=[1, 2], *args, **kw) %}x{% endmacro %}`)).toEqual(['x', 'y', 'z', 'w', 'args', 'kw']);
    expect(macroParameters('{%- macro none() -%}{% endmacro %}')).toEqual([]);
    expect(macroParameters('{% test positive(model, column_name) %}{% endtest %}')).toEqual(['model', 'column_name']);
    expect(macroParameters('select 1')).toBeUndefined();
  });
});
