// The JSON-lines log of a run: one object per line, appended and flushed as events happen,
// so that a killed run keeps everything up to its last event.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class RunLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(event: string, fields: Record<string, unknown>): void {
    const line = JSON.stringify({ time: new Date().toISOString(), event, ...fields });
    appendFileSync(this.path, line + '\n');
  }

  /** Reads every event back (skipping a torn last line left by a kill). */
  static read(path: string): Array<Record<string, unknown> & { event: string }> {
    if (!existsSync(path)) return [];
    const out: Array<Record<string, unknown> & { event: string }> = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // A partial line can only be the last one written before a kill.
      }
    }
    return out;
  }
}
