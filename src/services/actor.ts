import type { Role } from '../domain/roles.ts';

/** Who is acting, for which practice: every service takes one and scopes every query to its practice. */
export interface Actor {
  practiceId: string;
  kind: 'user' | 'token' | 'cli' | 'system' | 'patient';
  id: string;
  name: string;
  role: Role;
}

export function systemActor(practiceId: string, name = 'system'): Actor {
  return { practiceId, kind: 'system', id: name, name, role: 'admin' };
}

export function cliActor(practiceId: string): Actor {
  return { practiceId, kind: 'cli', id: 'cli', name: 'ledger CLI', role: 'admin' };
}
