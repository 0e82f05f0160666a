#!/usr/bin/env node
// `npm start`: builds the web app when it is missing or older than its sources, then starts the server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webIndex = path.join(root, 'web', 'dist', 'index.html');
const webConfig = path.join(root, 'web', 'vite.config.ts');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function webIsStale() {
  if (!fs.existsSync(webIndex) || !fs.existsSync(path.join(root, 'web', 'dist', 'portal.html'))) return true;
  const built = fs.statSync(webIndex).mtimeMs;
  // The web app imports the API contracts and the domain's labels, so those count as its sources too.
  return [path.join(root, 'web', 'src'), path.join(root, 'src', 'contracts'), path.join(root, 'src', 'domain')].some((dir) => newestMtime(dir) > built);
}

if (fs.existsSync(webConfig) && webIsStale()) {
  console.log('Building the web app…');
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  // The staff app, then the patient pages as their own bundle (portal.html).
  for (const mode of ['production', 'portal']) {
    const result = spawnSync(process.execPath, [vite, 'build', '--config', webConfig, '--mode', mode, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

register();
await import('../src/server/main.ts');
