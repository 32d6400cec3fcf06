/**
 * A small, strict-enough XML reader for annotation files (VOC): elements, attributes, text, CDATA,
 * comments, processing instructions and a DOCTYPE are understood; namespaces and DTD entities are
 * not. Malformed input raises an error naming the file and line.
 *
 * @example
 * const root = parseXml(text, 'Annotations/000001.xml');
 * childText(child(root, 'size')!, 'width'); // '353'
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (entities decoded, not trimmed). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

/** Parses a document and returns its root element. */
export function parseXml(text: string, file: string): XmlElement {
  const fail = (at: number, message: string): never => {
    throw new Error(`${file}:${lineAt(text, at)}: malformed XML: ${message}`);
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const chunk = text.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1]!.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') fail(i, `text outside the root element: '${chunk.trim().slice(0, 30)}'`);
      i = textEnd;
      if (lt < 0) break;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail(i, 'unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) fail(i, 'unterminated CDATA section');
      if (stack.length === 0) fail(i, 'CDATA outside the root element');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) fail(i, 'unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!', i)) {
      // DOCTYPE, possibly with an internal subset in brackets.
      let depth = 0;
      let j = i + 2;
      for (; j < n; j++) {
        const ch = text[j];
        if (ch === '[') depth++;
        else if (ch === ']') depth--;
        else if (ch === '>' && depth <= 0) break;
      }
      if (j >= n) fail(i, 'unterminated declaration');
      i = j + 1;
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      if (!m) fail(i, 'bad closing tag');
      const name = m![0];
      let j = i + 2 + name.length;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text[j] !== '>') fail(j, `expected '>' to end </${name}`);
      const open = stack.pop();
      if (!open) fail(i, `closing tag </${name}> without an opening tag`);
      if (open!.name !== name) fail(i, `</${name}> closes <${open!.name}> opened at line ${open!.line}`);
      i = j + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m) fail(i, `bad tag start '${text.slice(i, i + 10)}'`);
      const element: XmlElement = { name: m![0], attributes: {}, children: [], text: '', line: lineAt(text, i) };
      let j = i + 1 + element.name.length;
      let selfClosing = false;
      for (;;) {
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (j >= n) fail(i, `unterminated tag <${element.name}`);
        if (text[j] === '>') { j++; break; }
        if (text.startsWith('/>', j)) { j += 2; selfClosing = true; break; }
        NAME.lastIndex = j;
        const a = NAME.exec(text);
        if (!a) fail(j, `bad attribute in <${element.name}>`);
        j += a![0].length;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (text[j] !== '=') fail(j, `attribute '${a![0]}' of <${element.name}> has no value`);
        j++;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        const quote = text[j];
        if (quote !== '"' && quote !== "'") fail(j, `attribute '${a![0]}' of <${element.name}> is not quoted`);
        const end = text.indexOf(quote!, j + 1);
        if (end < 0) fail(j, `unterminated attribute value in <${element.name}>`);
        element.attributes[a![0]] = decodeEntities(text.slice(j + 1, end));
        j = end + 1;
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else if (root) fail(i, `second root element <${element.name}> (the root is <${root.name}>)`);
      else root = element;
      if (!selfClosing) stack.push(element);
      i = j;
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    throw new Error(`${file}:${lineAt(text, n)}: malformed XML: <${open.name}> opened at line ${open.line} is never closed`);
  }
  if (!root) throw new Error(`${file}: malformed XML: no root element`);
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

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let k = 0; k < index && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
