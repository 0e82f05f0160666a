import type { Kysely, Migration } from 'kysely';

type MigrationModule = { up(db: Kysely<any>): Promise<void>; down?(db: Kysely<any>): Promise<void> };

/**
 * A migration whose module is imported when it runs, not when the list is read: a database already up to date
 * (every start of the server and of each CLI command) loads none of them (ADR 0051: through tsx each is a
 * transpiled module and a round trip to its loader thread).
 */
function lazy(load: () => Promise<MigrationModule>): Migration {
  return {
    up: async (db) => (await load()).up(db),
    // A migration without down undoes nothing, as Kysely treats one whose module has none.
    down: async (db) => (await load()).down?.(db),
  };
}

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': lazy(() => import('./0001-foundation.ts')),
  '0002-refunds-and-credits': lazy(() => import('./0002-refunds-and-credits.ts')),
  '0003-remittance-and-tasks': lazy(() => import('./0003-remittance-and-tasks.ts')),
  '0004-eligibility-and-portal': lazy(() => import('./0004-eligibility-and-portal.ts')),
  '0005-remittance-accounted': lazy(() => import('./0005-remittance-accounted.ts')),
  '0006-charge-lock-and-idempotency-claims': lazy(() => import('./0006-charge-lock-and-idempotency-claims.ts')),
  '0007-practice-time-zone': lazy(() => import('./0007-practice-time-zone.ts')),
  '0008-api-token-lifecycle': lazy(() => import('./0008-api-token-lifecycle.ts')),
  '0009-journal-sources': lazy(() => import('./0009-journal-sources.ts')),
  '0012-webhook-endpoints': lazy(() => import('./0012-webhook-endpoints.ts')),
  '0013-remittance-work': lazy(() => import('./0013-remittance-work.ts')),
  '0014-practice-setup-and-invites': lazy(() => import('./0014-practice-setup-and-invites.ts')),
  '0017-processor-reconciliation': lazy(() => import('./0017-processor-reconciliation.ts')),
  '0021-messages': lazy(() => import('./0021-messages.ts')),
  '0022-dashboard-totals': lazy(() => import('./0022-dashboard-totals.ts')),
  '0023-list-indexes': lazy(() => import('./0023-list-indexes.ts')),
  '0025-processor-receipts': lazy(() => import('./0025-processor-receipts.ts')),
  '0026-held-receipt-returns': lazy(() => import('./0026-held-receipt-returns.ts')),
  '0027-payment-name-search': lazy(() => import('./0027-payment-name-search.ts')),
  '0031-patient-payments-index': lazy(() => import('./0031-patient-payments-index.ts')),
  '0032-list-counts': lazy(() => import('./0032-list-counts.ts')),
  '0033-patient-funds-index': lazy(() => import('./0033-patient-funds-index.ts')),
};
