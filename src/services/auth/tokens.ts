import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe, with a prefix that makes a leaked token easy to recognise. */
export function newSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
