import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/** Gives every file a folder for its figures, and prints them all at the end of the run. */
export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-reliability-'));
  project.provide('figuresDir', dir);
  const started = Date.now();
  return () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    const lines = ['', '==== Reliability figures ===='];
    for (const file of files) {
      const { section, figures } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { section: string; figures: Record<string, unknown> };
      lines.push(`-- ${section}`);
      for (const [name, value] of Object.entries(figures)) {
        // Lists of failures: every one on its own line, so none is cut off.
        if (Array.isArray(value)) {
          lines.push(`   ${name}: ${value.length}`);
          for (const item of value) lines.push(`     - ${JSON.stringify(item).slice(0, 600)}`);
          continue;
        }
        const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
        lines.push(`   ${name}: ${shown.length > 2000 ? `${shown.slice(0, 2000)} …` : shown}`);
      }
    }
    if (files.length === 0) lines.push('(no figures recorded: every file failed before recording)');
    lines.push(`-- whole run: ${Math.round((Date.now() - started) / 1000)} s`, '=============================', '');
    process.stdout.write(`${lines.join('\n')}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
