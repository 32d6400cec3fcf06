/**
 * Nesting depth of JSON text, measured as it streams (brackets inside strings do not count), so
 * a reader can refuse a document nested deeper than the `nestingDepth` limit before anything
 * walks it recursively (JSON.stringify in a message, a recursive reader): 300,000 nested arrays
 * fit in 600 KB and overflow the call stack.
 */
export class JsonDepthMeter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The deepest nesting seen so far. */
  max = 0;

  /** Feeds the next chunk (UTF-8 bytes or text) and returns the deepest nesting so far. */
  feed(chunk: Uint8Array | string): number {
    const text = typeof chunk === 'string';
    for (let i = 0; i < chunk.length; i++) {
      const c = text ? (chunk as string).charCodeAt(i) : (chunk as Uint8Array)[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* backslash */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        if (++this.depth > this.max) this.max = this.depth;
      } else if (c === 0x7d || c === 0x5d) this.depth--;
    }
    return this.max;
  }
}
