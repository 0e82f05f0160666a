// The export thread (csv-thread.ts). A worker does not inherit the loader hooks of the thread that starts it, so it
// loads tsx first, as bin/ledger.mjs does, then the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./csv-thread-worker.ts');
