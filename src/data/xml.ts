/**
 * XML documents (VOC annotations) as a small element tree, parsed by saxes (a strict,
 * streaming, well-formedness-checking parser; linear in the input, no DTD entity expansion).
 * Elements, attributes, text and CDATA are kept; comments, processing instructions and the
 * DOCTYPE are skipped; undefined entities are errors. Malformed input, and documents deeper or
 * larger than the `nestingDepth` / `xmlElements` limits, raise a DataFileError naming the file
 * and line.
 *
 * @example
 * const root = parseXml(text, 'Annotations/000001.xml');
 * childText(child(root, 'size')!, 'width'); // '353'
 */
import { SaxesParser } from 'saxes';
import { DataFileError } from '../core/errors.js';
import { checkLimit, inputLimits, type InputLimits } from '../io/inputLimits.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (entities decoded, not trimmed). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

/** Options of {@link parseXml}. */
export interface XmlOptions {
  /** Limits on nesting depth and element count (default {@link inputLimits}()). */
  limits?: Partial<InputLimits>;
}

/** Parses a document and returns its root element. */
export function parseXml(text: string, file: string, options: XmlOptions = {}): XmlElement {
  const limits = inputLimits(options.limits);
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let startLine = 1;
  parser.on('opentagstart', () => {
    startLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    elements++;
    checkLimit(limits, 'xmlElements', elements, file, () => `an XML document of more than ${elements - 1} elements`);
    checkLimit(limits, 'nestingDepth', stack.length + 1, file, () => `XML nesting (${stack.length + 1} levels at line ${parser.line})`);
    // defineProperty: an attribute named '__proto__' stays an attribute.
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) Object.defineProperty(attributes, k, { value: v, enumerable: true, writable: true, configurable: true });
    const element: XmlElement = { name: tag.name, attributes, children: [], text: '', line: startLine };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  let failure: Error | undefined;
  parser.on('error', (e) => {
    // saxes prefixes "line:column: "; the DataFileError prefixes the file.
    failure ??= new DataFileError(file, `malformed XML at line ${e.message.replace(/^(\d+):(\d+): /, '$1, column $2: ')}`);
    throw failure;
  });
  try {
    parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  } catch (e) {
    if (e === failure || e instanceof DataFileError) throw e;
    throw new DataFileError(file, `malformed XML at line ${parser.line}: ${(e as Error).message}`);
  }
  if (!root) throw new DataFileError(file, 'malformed XML: no root element');
  return root;
}

/** First direct child named `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** All direct children named `name`. */
export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** Trimmed text of the first direct child named `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  const c = child(element, name);
  return c === undefined ? undefined : c.text.trim();
}

/** Escapes text for element content or attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}
