import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { describeError } from '../../api/describe-error';
import { ErrorState, LoadingState } from '../../ui/states';
import { useSession } from './session';

/** Renders its children for a signed-in user; sends everyone else to the login page. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <LoadingState label="Checking your session…" />;
  if (session.isError) {
    const { title, message } = describeError(session.error);
    return <ErrorState title={title} message={message} onRetry={() => void session.refetch()} />;
  }
  if (!session.data) {
    const from = `${location.pathname}${location.search}`;
    return <Navigate to="/login" replace state={{ from }} />;
  }
  return <>{children}</>;
}
