#!/usr/bin/env node
// `npm start`: builds the web app when it has not been built yet, then starts the server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webIndex = path.join(root, 'web', 'dist', 'index.html');
const webConfig = path.join(root, 'web', 'vite.config.ts');
if (!fs.existsSync(webIndex) && fs.existsSync(webConfig)) {
  console.log('Building the web app (first start only)…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', webConfig, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

register();
await import('../src/server/main.ts');
