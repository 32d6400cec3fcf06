// Escaping of untrusted text (class names, image ids, paths, config strings) for HTML and SVG.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML/XML element content and quoted attribute values.
 * @example escapeHtml('<b>"cat" & dog</b>'); // '&lt;b&gt;&quot;cat&quot; &amp; dog&lt;/b&gt;'
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}
