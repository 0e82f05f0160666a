#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=160
// (Heap flags: ADR 0017 — a small young generation and a cap keep a 100 MB 835 import under 256 MB RSS.)
// The `ledger` command: runs the TypeScript CLI through tsx (Node 20 does not strip types).
import { register } from 'tsx/esm/api';

// Kysely and zod ship as ~360 small ES modules. Loaded before tsx's hooks are registered, they load as
// plain JavaScript; after, each module would take round trips to tsx's loader thread (~0.4 s of CPU on
// every command). The app's own imports of them then find them loaded (the same URLs, the same instances).
await Promise.all([import('kysely'), import('zod')]);
register();
await import('../src/cli/main.ts');
