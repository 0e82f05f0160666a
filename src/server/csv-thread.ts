import { Worker } from 'node:worker_threads';
import type { PaymentCsvRead } from '../services/payments/payment-csv-rows.ts';
import type { PaymentCsvColumnSet } from './payment-csv-columns.ts';

/**
 * The payments exports (up to a million rows) are read and formatted on a thread of their own, so the request
 * thread's event loop never waits behind them: it only passes the finished chunks to the socket (ADR 0054).
 * One thread, started by an export and ended after a minute with none (it costs ~50 MB of memory and a start:
 * tsx, the drivers and the formatting compiled again, ADR 0054); it runs any number of exports at once, and keeps
 * the process alive only while one runs.
 */

/** An export as the thread takes it: plain data. */
export interface PaymentCsvJob {
  columns: PaymentCsvColumnSet;
  timeZone: string;
  read: PaymentCsvRead;
}

export type ToCsvThread = { id: number; start: PaymentCsvJob } | { id: number; pull: true } | { id: number; cancel: true };
export type FromCsvThread = { id: number; chunk: Uint8Array } | { id: number; done: true } | { id: number; error: string };

/** The messages of one export, waited for in order. */
class Inbox {
  private readonly messages: FromCsvThread[] = [];
  private waiting: ((message: FromCsvThread) => void) | undefined;
  put(message: FromCsvThread) {
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = undefined;
      wake(message);
    } else this.messages.push(message);
  }
  next(): Promise<FromCsvThread> {
    const message = this.messages.shift();
    return message ? Promise.resolve(message) : new Promise((resolve) => (this.waiting = resolve));
  }
}

interface CsvThread {
  worker: Worker;
  inboxes: Map<number, Inbox>;
  idle: NodeJS.Timeout | undefined;
}

const idleThreadEndsAfterMs = 60_000;

let thread: CsvThread | undefined;
let lastId = 0;

function csvThread(): CsvThread {
  if (thread) return thread;
  const worker = new Worker(new URL('./csv-thread-worker.mjs', import.meta.url));
  const started: CsvThread = { worker, inboxes: new Map(), idle: undefined };
  worker.on('message', (message: FromCsvThread) => started.inboxes.get(message.id)?.put(message));
  // A thread that fails ends its exports with the error; the next export starts a new thread.
  const fail = (error: string) => {
    if (thread === started) thread = undefined;
    for (const [id, inbox] of started.inboxes) inbox.put({ id, error });
    started.inboxes.clear();
  };
  worker.on('error', (error) => fail(`the export thread failed: ${error.message}`));
  worker.on('exit', (code) => fail(`the export thread ended (${code})`));
  worker.unref();
  thread = started;
  return started;
}

/**
 * The CSV of a payments export, in chunks of bytes made on the export thread. Two chunks are asked for ahead, so
 * the thread formats the next while the socket takes this one; the consumer pulls (backpressure). Ending the loop
 * early (the client went away) stops the export on the thread and closes its read.
 */
export async function* paymentCsvChunksOffThread(job: PaymentCsvJob): AsyncGenerator<Uint8Array> {
  const running = csvThread();
  const { worker, inboxes } = running;
  const id = ++lastId;
  const inbox = new Inbox();
  inboxes.set(id, inbox);
  clearTimeout(running.idle);
  if (inboxes.size === 1) worker.ref();
  let finished = false;
  try {
    worker.postMessage({ id, start: job } satisfies ToCsvThread);
    worker.postMessage({ id, pull: true } satisfies ToCsvThread);
    worker.postMessage({ id, pull: true } satisfies ToCsvThread);
    for (;;) {
      const message = await inbox.next();
      if ('error' in message) {
        finished = true;
        throw new Error(message.error);
      }
      if ('done' in message) {
        finished = true;
        return;
      }
      worker.postMessage({ id, pull: true } satisfies ToCsvThread);
      yield message.chunk;
    }
  } finally {
    inboxes.delete(id);
    if (!finished) worker.postMessage({ id, cancel: true } satisfies ToCsvThread);
    if (inboxes.size === 0) {
      worker.unref();
      running.idle = setTimeout(() => {
        if (thread === running && inboxes.size === 0) {
          thread = undefined;
          void worker.terminate();
        }
      }, idleThreadEndsAfterMs).unref();
    }
  }
}
