import { parentPort } from 'node:worker_threads';
import { postgresCsvCopy } from '../db/slice-readers.ts';
import { paymentCsvRows, type PaymentCsvRead, type PaymentCsvRow } from '../services/payments/payment-csv-rows.ts';
import { csvChunks, toCsv, type CsvColumn } from './csv.ts';
import type { FromCsvThread, ToCsvThread } from './csv-thread.ts';
import { paymentCsvColumns } from './payment-csv-columns.ts';

// The export thread's side (csv-thread.ts): each export a generator of CSV chunks, advanced one chunk per pull.
interface Export {
  chunks: AsyncGenerator<string | Uint8Array>;
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
      send({ id, chunk: typeof next.value === 'string' ? encoder.encode(next.value) : next.value });
    }
  } catch (error) {
    exports.delete(id);
    send({ id, error: error instanceof Error ? error.message : String(error) });
  } finally {
    running.pumping = false;
  }
}

/**
 * An export's CSV: on PostgreSQL given its cells' read (`copy`), the header line and then the lines PostgreSQL
 * writes (ADR 0066); otherwise every row formatted here.
 */
async function* paymentCsv(columns: readonly CsvColumn<PaymentCsvRow>[], read: PaymentCsvRead): AsyncGenerator<string | Uint8Array> {
  if (read.copy && read.source.dialect === 'postgres') {
    // The header goes with the first lines, as csvChunks sends it: the file's first bytes mean its read has begun.
    let header: Uint8Array | undefined = encoder.encode(toCsv(columns.map((c) => c.header), []));
    for await (const lines of postgresCsvCopy(read.source.connectionString, read.copy)) {
      yield header ? Buffer.concat([header, lines]) : lines;
      header = undefined;
    }
    if (header) yield header;
  } else {
    yield* csvChunks(columns, paymentCsvRows(read));
  }
}

port.on('message', (message: ToCsvThread) => {
  if ('start' in message) {
    const { columns, timeZone, read } = message.start;
    exports.set(message.id, { chunks: paymentCsv(paymentCsvColumns(columns, timeZone), read), pulls: 0, pumping: false });
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
