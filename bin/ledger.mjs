#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=160
// (Heap flags: ADR 0017 — a small young generation and a cap keep a 100 MB 835 import under 256 MB RSS.)
// The `ledger` command: runs the TypeScript CLI through tsx (Node 20 does not strip types).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
