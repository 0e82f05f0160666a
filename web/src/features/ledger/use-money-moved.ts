import { useQueryClient } from '@tanstack/react-query';
import { sessionKey } from '../auth/session';

/**
 * After money moved (a refund, an application, a credit, a remittance, a
 * task): balances, billing views, lists, the dashboard and the work lists may
 * all have changed. Everything loaded is marked stale and what is on screen
 * refetches; only the session is left alone.
 */
export function useMoneyMoved() {
  const queryClient = useQueryClient();
  return () =>
    queryClient.invalidateQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
}
