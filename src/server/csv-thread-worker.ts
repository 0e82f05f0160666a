import { parentPort } from 'node:worker_threads';
import { paymentCsvRows } from '../services/payments/payment-csv-rows.ts';
import { csvChunks } from './csv.ts';
import type { FromCsvThread, ToCsvThread } from './csv-thread.ts';
import { paymentCsvColumns } from './payment-csv-columns.ts';

// The export thread's side (csv-thread.ts): each export a generator of CSV chunks, advanced one chunk per pull.
interface Export {
  chunks: AsyncGenerator<string>;
  pulls: number;
  pumping: boolean;
}

const port = parentPort!;
const exports = new Map<number, Export>();
const encoder = new TextEncoder();

function send(message: FromCsvThread) {
  // A chunk's bytes are moved to the request thread, not copied.
  port.postMessage(message, 'chunk' in message ? [message.chunk.buffer as ArrayBuffer] : []);
}

async function pump(id: number, running: Export) {
  if (running.pumping) return;
  running.pumping = true;
  try {
    while (running.pulls > 0 && exports.get(id) === running) {
      running.pulls--;
      const next = await running.chunks.next();
      if (exports.get(id) !== running) return;
      if (next.done) {
        exports.delete(id);
        send({ id, done: true });
        return;
      }
      send({ id, chunk: encoder.encode(next.value) });
    }
  } catch (error) {
    exports.delete(id);
    send({ id, error: error instanceof Error ? error.message : String(error) });
  } finally {
    running.pumping = false;
  }
}

port.on('message', (message: ToCsvThread) => {
  if ('start' in message) {
    const { columns, timeZone, read } = message.start;
    exports.set(message.id, { chunks: csvChunks(paymentCsvColumns(columns, timeZone), paymentCsvRows(read)), pulls: 0, pumping: false });
    return;
  }
  const running = exports.get(message.id);
  if (!running) return;
  if ('pull' in message) {
    running.pulls++;
    void pump(message.id, running);
  } else {
    // The client went away: closing the generator closes the read (its connection, its snapshot).
    exports.delete(message.id);
    void running.chunks.return(undefined).catch(() => undefined);
  }
});
