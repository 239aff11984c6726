import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/artifacts/junit.js';
import { newReport, type ReportNode } from '../../src/artifacts/run-report.js';
import { cell, renderSummaryMd } from '../../src/artifacts/summary-md.js';
import { checkJunit, testcase } from '../helpers/junit-schema.js';
import { childrenNamed, parseXml } from '../helpers/xml.js';

const MESSAGE = 'line one\n\tline "two" & <three> \'four\' | five\r\u0007end ]]> \uD800';

function node(over: Partial<ReportNode>): ReportNode {
  return { uniqueId: 'model.shop.a', resourceType: 'model', classname: 'model.shop', name: 'a', file: 'models/a.sql', materialization: 'view', status: 'success', message: 'OK', seconds: 0.5, ...over };
}

describe('the strict XML parser the report tests rely on', () => {
  it('rejects what a conforming parser rejects', () => {
    expect(() => parseXml('<a>x & y</a>')).toThrow(/'&' not starting a reference/);
    expect(() => parseXml('<a b="<"/>')).toThrow(/'<' in an attribute value/);
    expect(() => parseXml('<a b="1" b="2"/>')).toThrow(/duplicate attribute/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a>&#1;</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(parseXml('<?xml version="1.0"?><a x="&quot;&#10;">t&amp;<b/></a>')).toEqual({ name: 'a', attrs: { x: '"\n' }, text: 't&', children: [{ name: 'b', attrs: {}, children: [], text: '' }] });
  });
});

describe('renderJunit', () => {
  it('keeps every character of a message that XML can hold, in attributes and text', () => {
    const report = newReport('build');
    report.nodes.push(node({ status: 'error', message: MESSAGE }), node({ uniqueId: 'model.shop.b', name: 'b', status: 'skipped', message: MESSAGE }));
    report.exitCode = 1;
    const suite = checkJunit(renderJunit(report));
    const expected = MESSAGE.replace('\u0007', '\uFFFD').replace('\uD800', '\uFFFD');
    const error = childrenNamed(testcase(suite, 'a'), 'error')[0];
    expect(error.attrs.message).toBe(expected);
    expect(error.text.startsWith(expected)).toBe(true);
    expect(childrenNamed(testcase(suite, 'b'), 'skipped')[0].attrs.message).toBe(expected);
  });

  it('a mistake that stopped the run is one error case', () => {
    const report = newReport('run');
    report.stopErrors.push("--select 'x' matches no node");
    report.exitCode = 2;
    const suite = checkJunit(renderJunit(report));
    expect(suite.attrs).toMatchObject({ tests: '1', errors: '1' });
  });
});

describe('the markdown summary', () => {
  it('a message stays in its table cell: pipes escaped, newlines as <br>, no markup', () => {
    expect(cell('a | b\nc\r\n<script> & \\')).toBe('a \\| b<br>c<br>&lt;script&gt; &amp; \\\\');
    const report = newReport('build');
    report.nodes.push(node({ status: 'error', message: MESSAGE }));
    report.exitCode = 1;
    const row = renderSummaryMd(report).split('\n').find((l) => l.startsWith('| model `a` | ERROR'))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(6);
  });
});
