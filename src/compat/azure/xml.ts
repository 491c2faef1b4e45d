/**
 * The little XML that classic Azure Service Management speaks: documents in the
 * `http://schemas.microsoft.com/windowsazure` namespace, written here and read tolerantly (namespace
 * prefixes ignored, no DTDs, no entity definitions) for the few elements the surface needs.
 */

import { AzureApiError } from './azure-api-error.js';

export const AZURE_NS = 'http://schemas.microsoft.com/windowsazure';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<name>text</name>`, `<name>children</name>` or `<name/>`; `root` adds the Azure namespaces. */
export function xmlElement(name: string, content: string | string[] | null, root = false): string {
  const attrs = root ? ` xmlns="${AZURE_NS}" xmlns:i="${XSI_NS}"` : '';
  if (content === null || (Array.isArray(content) && content.length === 0) || content === '') return `<${name}${attrs}/>`;
  const inner = Array.isArray(content) ? content.join('') : escapeXml(content);
  return `<${name}${attrs}>${inner}</${name}>`;
}

export function xmlDocument(root: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>${root}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? '';
  });
}

/** A parsed element: its local name, text (for leaves) and children. */
export interface XmlNode {
  name: string;
  text: string;
  children: XmlNode[];
}

// Azure's XML bodies (a job collection, a cloud service) are a few hundred bytes.
const MAX_XML = 64 * 1024;
const invalid = (message: string): AzureApiError => new AzureApiError(400, 'InvalidXmlRequest', `the XML body is not valid: ${message}`);

/** Parses a small XML document; DTDs are refused (nothing is ever resolved or expanded). */
export function parseXml(text: string): XmlNode {
  if (text.length > MAX_XML) throw invalid(`the body is larger than ${MAX_XML / 1024} KB`);
  const src = text.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(src)) throw invalid('DTDs are not accepted');
  // Attributes stop at the next '<' so that no attempt scans the rest of a hostile body (linear time).
  const tag = /<(\/?)([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s[^<>]*)?)(\/?)>|<\?[^<>]*\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  const root: XmlNode = { name: '#document', text: '', children: [] };
  const stack: XmlNode[] = [root];
  let last = 0;
  for (let m = tag.exec(src); m !== null; m = tag.exec(src)) {
    const between = src.slice(last, m.index);
    last = tag.lastIndex;
    const top = stack[stack.length - 1] as XmlNode;
    if (between.includes('<')) throw invalid(`unexpected '<' near offset ${m.index}`);
    top.text += decodeText(between);
    if (m[6] !== undefined) {
      top.text += m[6];
      continue;
    }
    const local = m[3];
    if (local === undefined) continue; // declaration or comment
    if (m[1] === '/') {
      if (top.name !== local || stack.length === 1) throw invalid(`unexpected </${local}>`);
      stack.pop();
      continue;
    }
    const node: XmlNode = { name: local, text: '', children: [] };
    top.children.push(node);
    if (m[5] !== '/' && !(m[4] ?? '').trimEnd().endsWith('/')) stack.push(node);
  }
  if (src.slice(last).includes('<')) throw invalid('a tag is not closed');
  if (stack.length !== 1) throw invalid(`<${stack[stack.length - 1]?.name ?? ''}> is not closed`);
  const [first, ...rest] = root.children;
  if (!first || rest.length) throw invalid('a document needs exactly one root element');
  return first;
}

/** The child with this local name (case-insensitive), following a path. */
export function xmlChild(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = current?.children.find((c) => c.name.toLowerCase() === name.toLowerCase());
  return current;
}

/** The trimmed text of the child at the path, or undefined when it is absent or empty. */
export function xmlText(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const text = xmlChild(node, ...path)?.text.trim();
  return text ? text : undefined;
}
