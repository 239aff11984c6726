import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { installJinjaCompat, preprocessJinja } from '../../src/templating/jinja-compat.js';
import { templateModules } from '../../src/templating/modules/index.js';

// Built like production builds its environment; `modules` as the compiler gives it.
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: false, lstripBlocks: false });
installJinjaCompat(env);
const render = (src: string) => env.renderString(preprocessJinja(src), { modules: templateModules() });

describe('modules.itertools, as dbt gives Python\'s', () => {
  it('gives what Python 3 prints for the same calls', () => {
    // each expected string is what `print(list(itertools.…))` prints in Python 3.12
    const cases: Array<[string, string]> = [
      ["product('ab', repeat=2)", "[('a', 'a'), ('a', 'b'), ('b', 'a'), ('b', 'b')]"],
      ['product([1, 2], [3])', '[(1, 3), (2, 3)]'],
      ["product('ab', [])", '[]'],
      ["combinations('ABCD', 2)", "[('A', 'B'), ('A', 'C'), ('A', 'D'), ('B', 'C'), ('B', 'D'), ('C', 'D')]"],
      ['combinations([1, 2], 3)', '[]'],
      ["combinations_with_replacement('ABC', 2)", "[('A', 'A'), ('A', 'B'), ('A', 'C'), ('B', 'B'), ('B', 'C'), ('C', 'C')]"],
      ["permutations('ABC', 2)", "[('A', 'B'), ('A', 'C'), ('B', 'A'), ('B', 'C'), ('C', 'A'), ('C', 'B')]"],
      ['permutations([1, 2, 3])', '[(1, 2, 3), (1, 3, 2), (2, 1, 3), (2, 3, 1), (3, 1, 2), (3, 2, 1)]'],
      ["chain('ABC', 'DE')", "['A', 'B', 'C', 'D', 'E']"],
      ["chain.from_iterable(['ABC', 'D'])", "['A', 'B', 'C', 'D']"],
      ["islice('ABCDEFG', 2)", "['A', 'B']"],
      ["islice('ABCDEFG', 2, 4)", "['C', 'D']"],
      ["islice('ABCDEFG', 2, none)", "['C', 'D', 'E', 'F', 'G']"],
      ["islice('ABCDEFG', 0, none, 2)", "['A', 'C', 'E', 'G']"],
      ["zip_longest('ABCD', 'xy', fillvalue='-')", "[('A', 'x'), ('B', 'y'), ('C', '-'), ('D', '-')]"],
      ['zip_longest([1], [2, 3])', '[(1, 2), (None, 3)]'],
      ['repeat(10, 3)', '[10, 10, 10]'],
    ];
    for (const [call, want] of cases) expect(render(`{{ modules.itertools.${call} | list }}`), call).toBe(want);
  });

  it('groupby gives each run of equal keys with its items', () => {
    expect(render("{% for k, g in modules.itertools.groupby('AAABBCA') %}{{ k }}{{ g | length }} {% endfor %}")).toBe('A3 B2 C1 A1 ');
  });

  it('refuses what never ends, and what would be too long', () => {
    expect(() => render('{{ modules.itertools.count() }}')).toThrow(/count\(\) never ends/);
    expect(() => render('{{ modules.itertools.repeat(1) }}')).toThrow(/repeat\(\) without times never ends/);
    expect(() => render('{{ modules.itertools.product(range(1000), range(1000), range(1000)) }}')).toThrow(/longer than the 10000000/);
  });
});
