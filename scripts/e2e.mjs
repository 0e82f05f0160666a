#!/usr/bin/env node
// `npm run test:e2e`: the browser tests, each Playwright project (laptop width, tablet width) in its own
// Playwright run at once, each with its own server, port and data folder (playwright.config.ts makes a fresh
// folder per run). A run is serial inside (one worker: its tests share one practice); the two runs share
// nothing, so they overlap on the machine's two cores — a browser test mostly waits on the page (CI time,
// ADR 0055). Arguments go to both runs (a spec file, --grep); with --project=… only that project runs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const playwright = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const args = process.argv.slice(2);
const projects = args.some((a) => a.startsWith('--project'))
  ? [{ name: '', port: process.env.E2E_PORT ?? '3199', args }]
  : [
      // Each run its own output folder: a run empties its folder at the start, and both would write traces
      // under the same worker-numbered name.
      { name: 'laptop', port: '3199', args: [...args, '--project=chromium-laptop', '--output=test-results/laptop'] },
      { name: 'tablet', port: '3299', args: [...args, '--project=chromium-tablet', '--output=test-results/tablet'] },
    ];

const runs = projects.map(
  ({ name, port, args: runArgs }) =>
    new Promise((resolve) => {
      const env = { ...process.env, E2E_PORT: port };
      delete env.PL_E2E_TMP; // each run makes its own folder
      const child = spawn(process.execPath, [playwright, 'test', ...runArgs], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const prefix = name ? `[${name}] ` : '';
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        let pending = '';
        from.setEncoding('utf8');
        from.on('data', (text) => {
          const lines = (pending + text).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) to.write(`${prefix}${line}\n`);
        });
        from.on('end', () => pending && to.write(`${prefix}${pending}\n`));
      }
      child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0) }));
    }),
);

const results = await Promise.all(runs);
for (const { name, code } of results) if (name) console.log(`${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
