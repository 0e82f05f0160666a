#!/usr/bin/env node
// `npm run test:e2e`: the browser tests at both widths at once. Each width is its own Playwright process with its own
// server and database (playwright.config.ts: E2E_PORT, and a fresh run folder per process), so the two share no data —
// one width's settings test changing the practice's time zone cannot meet the other width's check of it — and each
// still runs its files one at a time. On two cores one width's waits (the server, the database, the browser's
// round trips) overlap the other's work (ADR 0071). Arguments go to both runs (a spec file, --grep); with --project,
// only the runs named.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import readline from 'node:readline';

const widths = [
  { project: 'chromium-laptop', port: '3199' },
  { project: 'chromium-tablet', port: '3299' },
];
const args = process.argv.slice(2);
const named = args.filter((a) => a.startsWith('--project=')).map((a) => a.slice('--project='.length));
const passed = args.filter((a) => !a.startsWith('--project='));
const runs = named.length ? widths.filter((w) => named.includes(w.project)) : widths;
if (runs.length === 0) throw new Error(`No such project: ${named.join(', ')} (${widths.map((w) => w.project).join(', ')})`);

const playwrightCli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const children = runs.map(({ project, port }) => {
  const env = { ...process.env, E2E_PORT: port };
  // A run folder of its own (playwright.config.ts makes one when none is given).
  delete env.PL_E2E_TMP;
  // Its own results folder too: a run empties its folder when it starts, and the traces being written are in it.
  const output = `test-results/${project}`;
  const child = spawn(process.execPath, [playwrightCli, 'test', `--project=${project}`, `--output=${output}`, ...passed], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const label = runs.length > 1 ? `[${project.replace('chromium-', '')}] ` : '';
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => console.log(label + line));
  }
  return child;
});
// Stopped: stop both runs (each then stops its server and browser).
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => children.forEach((child) => child.kill(signal)));
const codes = await Promise.all(children.map((child) => new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))));
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
