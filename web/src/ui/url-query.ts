import { useRef } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's state kept in its URL query (filters, a date range, a page), for pages where several inputs change it:
 * `read` turns the query into the state, `write` the state into the query. `update` changes part of it and builds on
 * the last change asked for, not on the state as last rendered: the router applies a change as a transition, so a
 * second input changed before the page renders again (two dates typed in a row) would otherwise start from the
 * query as it was and undo the first. The last ask is forgotten once the URL moves on from the query it was made
 * on (to what was asked, or elsewhere: Back, a link).
 */
export function useUrlQuery<T extends object>(read: (query: URLSearchParams) => T, write: (state: T) => URLSearchParams | Record<string, string>) {
  const [searchParams, setSearchParams] = useSearchParams();
  const state = read(searchParams);
  const rendered = searchParams.toString();
  const asked = useRef<{ on: string; state: T } | null>(null);
  if (asked.current && asked.current.on !== rendered) asked.current = null;
  const update = (changes: Partial<T>) => {
    const next = { ...(asked.current?.state ?? state), ...changes };
    asked.current = { on: asked.current?.on ?? rendered, state: next };
    setSearchParams(write(next), { replace: true });
  };
  return [state, update] as const;
}
