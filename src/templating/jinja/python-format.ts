/**
 * Python string formatting: `str.format()`, the `%` operator and the `format` filter.
 *
 * JavaScript has no format-spec mini-language; Jinja templates use Python's (`{:>10}`,
 * `{:,.2f}`, `'%05d' % n`), so a subset of it is implemented here.
 */
import type { Dict } from './nunjucks-internals.js';
import { pyNumber, pyQuote, pyRepr, pyStr } from './python-repr.js';
import { getItem, hasOwn, isMapping, isTuple, pyError, pyTypeName, toDictAdapter, toInt } from './python-values.js';

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

function groupDigits(intPart: string, sep: string, size: number): string {
  let out = '';
  for (let i = 0; i < intPart.length; i++) {
    if (i > 0 && (intPart.length - i) % size === 0) out += sep;
    out += intPart[i];
  }
  return out;
}

function fixedExp(n: number, digits: number, upper: boolean): string {
  const s = n.toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? s.toUpperCase() : s;
}

function generalFormat(n: number, precision: number | undefined, alt: boolean, upper: boolean): string {
  const p = precision === undefined ? 6 : precision === 0 ? 1 : precision;
  if (n === 0) return alt ? (0).toFixed(p - 1) : '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(n.toExponential(p - 1)))));
  let s: string;
  if (exp >= -4 && exp < p) {
    s = n.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  } else {
    s = fixedExp(n, p - 1, upper);
    if (!alt) s = s.replace(/\.?0+e/i, upper ? 'E' : 'e');
  }
  return upper ? s.toUpperCase() : s;
}

/** Formats a number per a (subset of the) Python format-spec mini-language. */
function formatNumber(value: number, spec: Spec): string {
  let type = spec.type;
  if (type === '' || type === 'n') type = Number.isInteger(value) && spec.precision === undefined ? 'd' : spec.precision === undefined ? '' : 'g';
  const neg = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  let body: string;
  let prefix = '';
  switch (type) {
    case 'd':
      body = String(Math.trunc(abs));
      break;
    case 'f':
    case 'F':
      body = Number.isFinite(abs) ? abs.toFixed(spec.precision ?? 6) : abs === Infinity ? 'inf' : 'nan';
      if (type === 'F') body = body.toUpperCase();
      break;
    case 'e':
    case 'E':
      body = fixedExp(abs, spec.precision ?? 6, type === 'E');
      break;
    case 'g':
    case 'G':
      body = generalFormat(abs, spec.precision, spec.alt, type === 'G');
      break;
    case '%':
      body = `${(abs * 100).toFixed(spec.precision ?? 6)}%`;
      break;
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      const base = type === 'b' ? 2 : type === 'o' ? 8 : 16;
      body = Math.trunc(abs).toString(base);
      if (type === 'X') body = body.toUpperCase();
      if (spec.alt) prefix = type === 'b' ? '0b' : type === 'o' ? '0o' : type === 'X' ? '0X' : '0x';
      break;
    }
    case 'c':
      return String.fromCodePoint(value);
    default:
      body = pyNumber(abs);
  }
  if (spec.grouping) {
    const m = /^(\d+)(.*)$/s.exec(body);
    if (m) body = groupDigits(m[1], spec.grouping, 'xXob'.includes(type) ? 4 : 3) + m[2];
  }
  const sign = neg ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  return pad(sign + prefix, body, spec, '>');
}

function pad(signPart: string, body: string, spec: Spec, defaultAlign: string): string {
  const fill = spec.zero && !spec.fill ? '0' : spec.fill || ' ';
  const align = spec.align || (spec.zero && !spec.fill ? '=' : defaultAlign);
  const len = [...(signPart + body)].length;
  const missing = Math.max(0, spec.width - len);
  if (!missing) return signPart + body;
  const fillN = (n: number) => fill.repeat(n);
  switch (align) {
    case '<':
      return signPart + body + fillN(missing);
    case '^':
      return fillN(Math.floor(missing / 2)) + signPart + body + fillN(missing - Math.floor(missing / 2));
    case '=':
      return signPart + fillN(missing) + body;
    default:
      return fillN(missing) + signPart + body;
  }
}

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function formatSpec(value: unknown, specText: string): string {
  const m = SPEC_RE.exec(specText);
  if (!m) throw pyError('ValueError', `Invalid format specifier '${specText}'`);
  const spec: Spec = {
    fill: m[1] ?? '',
    align: m[2] ?? '',
    sign: m[3] ?? '',
    alt: !!m[5],
    zero: !!m[6],
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8] ?? '',
    precision: m[9] !== undefined ? Number(m[9]) : undefined,
    type: m[10] ?? '',
  };
  if ((typeof value === 'number' || typeof value === 'boolean') && spec.type !== 's') {
    if (typeof value === 'boolean' && !spec.type) return pad('', pyStr(value), spec, '<');
    return formatNumber(Number(value), spec);
  }
  if (spec.type && spec.type !== 's') throw pyError('ValueError', `Unknown format code '${spec.type}' for object of type '${pyTypeName(value)}'`);
  let s = pyStr(value);
  if (spec.precision !== undefined) s = [...s].slice(0, spec.precision).join('');
  return pad('', s, { ...spec, zero: false, fill: spec.fill || (spec.zero ? '0' : '') }, '<');
}

/** Python `str.format`. */
export function pyStrFormat(fmt: string, args: unknown[], kwargs: Dict): string {
  let out = '';
  let auto = 0;
  let i = 0;
  while (i < fmt.length) {
    const ch = fmt[i];
    if (ch === '{') {
      if (fmt[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      while (j < fmt.length && depth) {
        if (fmt[j] === '{') depth++;
        else if (fmt[j] === '}') depth--;
        if (depth) j++;
      }
      if (depth) throw pyError('ValueError', "expected '}' before end of string");
      const field = fmt.slice(i + 1, j);
      i = j + 1;
      const fm = /^([^!:]*)(?:!([rsa]))?(?::([\s\S]*))?$/.exec(field);
      if (!fm) throw pyError('ValueError', `bad format field '${field}'`);
      const [, name, conv, specRaw] = fm;
      const head = /^[^.[]*/.exec(name)?.[0] ?? '';
      let value: unknown;
      if (head === '') value = args[auto++];
      else if (/^\d+$/.test(head)) value = args[Number(head)];
      else {
        if (!hasOwn(kwargs, head)) throw pyError('KeyError', pyQuote(head));
        value = kwargs[head];
      }
      const rest = name.slice(head.length);
      const accessRe = /\.([^.[]+)|\[([^\]]*)\]/g;
      let am: RegExpExecArray | null;
      while ((am = accessRe.exec(rest))) {
        value = am[1] !== undefined ? getItem(value, am[1]) : getItem(value, /^\d+$/.test(am[2]) ? Number(am[2]) : am[2]);
      }
      if (conv === 'r' || conv === 'a') value = pyRepr(value);
      else if (conv === 's') value = pyStr(value);
      const spec = specRaw ? pyStrFormat(specRaw, args.slice(auto), kwargs) : '';
      out += formatSpec(value, spec);
    } else if (ch === '}') {
      if (fmt[i + 1] !== '}') throw pyError('ValueError', "Single '}' encountered in format string");
      out += '}';
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

const PERCENT_RE = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** Python `fmt % values` (printf-style). */
export function pyPercentFormat(fmt: string, values: unknown): string {
  const mapping = isMapping(values) ? toDictAdapter(values) : undefined;
  const positional = mapping ? [] : isTuple(values) ? (values as unknown[]) : [values];
  let next = 0;
  const take = () => {
    if (next >= positional.length) throw pyError('TypeError', 'not enough arguments for format string');
    return positional[next++];
  };
  const out = fmt.replace(PERCENT_RE, (_all, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const w = width === '*' ? toInt(take(), '* width') : width ? Number(width) : 0;
    const p = prec === '*' ? toInt(take(), '* precision') : prec !== undefined ? Number(prec) : undefined;
    let value: unknown;
    if (key !== undefined) {
      if (!mapping) throw pyError('TypeError', 'format requires a mapping');
      if (!mapping.has(key)) throw pyError('KeyError', pyQuote(key));
      value = mapping.get(key);
    } else value = take();
    const spec: Spec = {
      fill: '',
      align: flags.includes('-') ? '<' : '',
      sign: flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '',
      alt: flags.includes('#'),
      zero: flags.includes('0') && !flags.includes('-'),
      width: w,
      grouping: '',
      precision: p,
      type: '',
    };
    switch (conv) {
      case 's':
      case 'r':
      case 'a': {
        let s = conv === 's' ? pyStr(value) : pyRepr(value);
        if (p !== undefined) s = s.slice(0, p);
        return pad('', s, { ...spec, zero: false }, '>');
      }
      case 'c':
        return pad('', typeof value === 'number' ? String.fromCodePoint(value) : pyStr(value), { ...spec, zero: false }, '>');
      default: {
        if (typeof value !== 'number' && typeof value !== 'boolean') {
          throw pyError('TypeError', `%${conv} format: a real number is required, not ${pyTypeName(value)}`);
        }
        const n = Number(value);
        const type = conv === 'i' || conv === 'u' ? 'd' : conv;
        if (type === 'd') return formatNumber(Math.trunc(n), { ...spec, precision: undefined, type: 'd' });
        return formatNumber(n, { ...spec, type });
      }
    }
  });
  if (!mapping && next < positional.length) throw pyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

