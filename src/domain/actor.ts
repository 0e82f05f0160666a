import type { Role } from './roles.ts';

/** Who is acting, for which practice: every service takes one and scopes every query to its practice. */
export interface Actor {
  practiceId: string;
  kind: 'user' | 'token' | 'cli' | 'system' | 'patient';
  id: string;
  name: string;
  role: Role;
}
