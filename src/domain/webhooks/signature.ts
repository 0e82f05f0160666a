import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from the receiver's clock before it is refused (replay protection). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `Ledger-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * The check a receiver does (documented in the README): parse t and every v1,
 * recompute the HMAC over the raw body, compare in constant time, and refuse
 * a timestamp outside the tolerance. Several v1 values may appear while a
 * secret is being rolled.
 */
export function verifyWebhookSignature(
  header: string,
  body: string,
  secret: string,
  { nowSeconds = Math.floor(Date.now() / 1000), toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS } = {},
): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return parts
    .filter(([k, v]) => k === 'v1' && v !== undefined)
    .some(([, v]) => {
      const given = Buffer.from(v!);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** When the next attempt is due after `attemptsSoFar` failed attempts: base, 2×base, 4×base, … */
export function nextRetryDelayMs(baseMs: number, attemptsSoFar: number): number {
  return baseMs * 2 ** Math.max(0, attemptsSoFar - 1);
}

export const RETRY_WINDOW_MS = 3 * 86_400_000;
