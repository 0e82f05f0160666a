import type { Session } from '../../api/types';
import { useSession } from './session';

/** The session inside the signed-in part of the app (RequireSession guarantees it). */
export function useCurrentSession(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useCurrentSession used outside RequireSession');
  return data;
}
