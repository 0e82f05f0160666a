#!/usr/bin/env node
// The `ledger` command: runs the TypeScript CLI through tsx (Node 20 does not strip types).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
