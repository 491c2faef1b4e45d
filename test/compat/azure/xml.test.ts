/** The small XML reader of the classic surface: structure, namespaces ignored, hostile input refused. */

import { describe, expect, it } from 'vitest';
import { AzureApiError } from '../../../src/compat/azure/azure-api-error.js';
import { parseXml, xmlText } from '../../../src/compat/azure/xml.js';

function refusal(text: string): string {
  try {
    parseXml(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AzureApiError);
    expect((err as AzureApiError).code).toBe('InvalidXmlRequest');
    return (err as Error).message;
  }
  throw new Error(`accepted: ${text.slice(0, 40)}`);
}

describe('parseXml', () => {
  it('reads elements by local name, with prefixes, self-closing tags, entities, CDATA and comments', () => {
    const root = parseXml('\uFEFF<?xml version="1.0"?><a:Resource xmlns:a="x"><IntrinsicSettings><Plan>Fr&amp;ee</Plan><Quota/><b:X y="1" /><C><![CDATA[<hi>]]><!-- c --></C></IntrinsicSettings></a:Resource>');
    expect(root.name).toBe('Resource');
    expect(xmlText(root, 'intrinsicsettings', 'PLAN')).toBe('Fr&ee');
    expect(xmlText(root, 'IntrinsicSettings', 'C')).toBe('<hi>');
    expect(root.children[0]?.children.map((c) => c.name)).toEqual(['Plan', 'Quota', 'X', 'C']);
  });

  it('refuses what is not one well-formed document, and DTDs', () => {
    expect(refusal('<a><b></a>')).toContain('unexpected </a>');
    expect(refusal('<a>')).toContain('not closed');
    expect(refusal('<a/><b/>')).toContain('exactly one root');
    expect(refusal('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toContain('DTD');
    expect(refusal('<a><</a>')).toContain("unexpected '<'");
  });

  it('refuses hostile bodies promptly (no backtracking blow-up), and anything over 64 KB', () => {
    refusal(`<a${' '.repeat(60_000)}`);
    refusal('<a b '.repeat(12_000));
    refusal('<![CDATA['.repeat(7_000));
    refusal('<!--'.repeat(16_000));
    refusal('<?x'.repeat(20_000));
    expect(refusal(`<a>${'x'.repeat(70_000)}</a>`)).toContain('larger than 64 KB');
  });
});
