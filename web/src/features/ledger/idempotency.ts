import { useRef } from 'react';
import { newIdempotencyKey } from '../../api/client';

/**
 * One Idempotency-Key per distinct request body: pressing the button again
 * after a timeout resends the same key (the server answers the first result),
 * while a changed form gets a new one.
 */
export function useIdempotencyKey() {
  const current = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor(body: unknown): string {
      const text = JSON.stringify(body);
      if (current.current?.body !== text) current.current = { body: text, key: newIdempotencyKey() };
      return current.current.key;
    },
    /** After a success: the next request is a new one. */
    reset() {
      current.current = null;
    },
  };
}
