import { parentPort, workerData } from 'node:worker_threads';
import { AHEAD, seedChunks, type SeedPlan, type WorkerChunk } from './seed-rows.ts';

// The bulk seed's row generator on its own thread (seedChunksOnWorker): each chunk goes to the seed as JSON, which
// the seed's thread parses in about half the time the rows took to make (ADR 0045). At most AHEAD chunks are sent
// before the seed has taken one: memory holds a few chunks, not the whole seed.
const port = parentPort!;
let credit = AHEAD;
let wake: (() => void) | null = null;
port.on('message', () => {
  credit++;
  wake?.();
});
for (const chunk of seedChunks(workerData as SeedPlan)) {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  const message: WorkerChunk = { kind: chunk.kind, done: chunk.done, tables: chunk.rows.map((rows) => [rows.table, JSON.stringify(rows.values)]) };
  port.postMessage(message);
}
port.postMessage('end');
port.close();
