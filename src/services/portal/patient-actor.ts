import type { Actor } from '../actor.ts';

/**
 * A patient acting through the portal or a payment link. Services scope every
 * query to its practice like any actor's; the audit trail records the patient
 * and the channel. It carries the least-privileged staff role only because
 * every actor has one: patient routes check no permissions, they reach a few
 * services with the patient's own records.
 */
export function patientActor(practiceId: string, patientId: string, via: 'portal' | 'link'): Actor {
  return {
    practiceId,
    kind: 'patient',
    id: patientId,
    name: via === 'portal' ? 'Patient portal' : 'Payment link',
    role: 'front_desk',
  };
}
