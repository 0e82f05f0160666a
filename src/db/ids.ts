import { randomFillSync } from 'node:crypto';

// One call into the CSPRNG per 256 ids instead of one per id: bulk seeds and imports make millions.
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

/**
 * UUIDv7: time-ordered, so new rows append to the primary-key index instead
 * of scattering across it, and unguessable enough to hand out as ids.
 */
export function newId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // These 16 bytes are used once: the pool is refilled only after every slot has been taken.
  const bytes = pool.subarray(poolOffset, (poolOffset += 16));
  const ms = Date.now();
  // 48 bits of milliseconds, big-endian (Number is exact to 2^53).
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}
