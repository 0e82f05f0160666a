#!/usr/bin/env node
// Browser tests use Debian's chromium, never a browser Playwright downloads. Installs it when missing (as root).
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const chromium = '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(`${chromium} is missing: run "sudo apt-get install -y chromium" once, then the tests again.`);
    process.exit(1);
  }
  console.log('Installing Debian chromium for the browser tests…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', { stdio: 'inherit', shell: '/bin/bash' });
}
