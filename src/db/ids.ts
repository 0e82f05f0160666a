import { randomFillSync } from 'node:crypto';

// One call into the CSPRNG per 256 ids instead of one per id: bulk seeds and imports make millions.
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

// The last id's millisecond and 12-bit sequence (UUIDv7's rand_a used as a counter, RFC 9562 §6.2 method 1).
let lastMs = 0;
let lastSeq = 0;

/**
 * UUIDv7: time-ordered, so new rows append to the primary-key index instead
 * of scattering across it, and unguessable enough to hand out as ids. Within
 * a process ids are strictly increasing, even within one millisecond: rows
 * made one after another (a payment's applications, in the order they were
 * decided) list in that order when sorted by creation time and then id.
 */
export function newId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // These 16 bytes are used once: the pool is refilled only after every slot has been taken.
  const bytes = pool.subarray(poolOffset, (poolOffset += 16));
  let ms = Date.now();
  let seq: number;
  if (ms > lastMs) {
    // A new millisecond starts the counter at a random point in its lower half, leaving room to count up.
    seq = ((bytes[6]! << 8) | bytes[7]!) & 0x7ff;
  } else {
    // The same millisecond (or the clock stepped back): count on; past the counter's end, borrow the next millisecond.
    ms = lastMs;
    seq = lastSeq + 1;
    if (seq > 0xfff) {
      ms = lastMs + 1;
      seq = 0;
    }
  }
  lastMs = ms;
  lastSeq = seq;
  // 48 bits of milliseconds, big-endian (Number is exact to 2^53).
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  bytes[6] = 0x70 | (seq >> 8);
  bytes[7] = seq & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The last millisecond's text: a batch writes thousands of rows a millisecond (a refund review page's tasks, audit
// rows and events each carry one), and formatting a Date is most of the cost of a row's timestamp.
let isoMs = Number.NaN;
let isoText = '';

export function nowIso(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}
