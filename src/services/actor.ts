import type { Actor } from '../domain/actor.ts';

export type { Actor };

export function systemActor(practiceId: string, name = 'system'): Actor {
  return { practiceId, kind: 'system', id: name, name, role: 'admin' };
}

export function cliActor(practiceId: string): Actor {
  return { practiceId, kind: 'cli', id: 'cli', name: 'ledger CLI', role: 'admin' };
}
