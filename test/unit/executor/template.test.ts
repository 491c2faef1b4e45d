import { describe, expect, it } from 'vitest';
import { renderTemplate, type TemplateValues } from '../../../src/executor/template.js';

const values: TemplateValues = {
  payload: { a: { b: 'raw text', n: 42, list: [1, { id: 'x' }] }, flag: true, nothing: null },
  runId: 'r-1',
  jobId: 'j-1',
  attempt: 2,
  scheduledFor: Date.UTC(2026, 10, 22, 6, 0, 0),
  error: null,
};

describe('renderTemplate', () => {
  it('renders the run fields', () => {
    expect(renderTemplate('{{runId}}/{{jobId}}/{{attempt}}/{{scheduledFor}}', values)).toBe(
      'r-1/j-1/2/2026-11-22T06:00:00.000Z',
    );
    expect(renderTemplate('[{{scheduledFor}}]', { ...values, scheduledFor: null })).toBe('[]');
  });

  it('renders the payload as JSON and its fields (strings raw, others JSON)', () => {
    expect(renderTemplate('{{payload}}', { ...values, payload: { x: 1 } })).toBe('{"x":1}');
    expect(renderTemplate('{{payload}}', { ...values, payload: 'text' })).toBe('"text"');
    expect(renderTemplate('{{payload}}', { ...values, payload: undefined })).toBe('null');
    expect(
      renderTemplate('{{payload.a.b}}|{{payload.a.n}}|{{payload.flag}}|{{payload.nothing}}', values),
    ).toBe('raw text|42|true|null');
    expect(renderTemplate('{{payload.a.list}}|{{payload.a.list.1.id}}', values)).toBe('[1,{"id":"x"}]|x');
    expect(renderTemplate('{{ payload.a.b }}', values)).toBe('raw text');
  });

  it('renders a missing field as empty and never walks the prototype chain', () => {
    expect(renderTemplate('[{{payload.missing.deep}}]', values)).toBe('[]');
    expect(renderTemplate('[{{payload.constructor}}][{{payload.a.b.length}}]', values)).toBe('[][]');
  });

  it('leaves unknown placeholders and malformed braces as written', () => {
    const text = '{{unknown}} {{ other.thing }} {{}} {single} {{runId';
    expect(renderTemplate(text, values)).toBe(text);
  });

  it('renders {{error}} (empty outside onFailure steps)', () => {
    expect(renderTemplate('[{{error}}]', values)).toBe('[]');
    expect(renderTemplate('[{{error}}]', { ...values, error: 'step 0 failed' })).toBe('[step 0 failed]');
  });
});
