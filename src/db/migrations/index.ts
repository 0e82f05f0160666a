import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.ts';
import * as refundsAndCredits from './0002-refunds-and-credits.ts';
import * as remittanceAndTasks from './0003-remittance-and-tasks.ts';
import * as eligibilityAndPortal from './0004-eligibility-and-portal.ts';
import * as remittanceAccounted from './0005-remittance-accounted.ts';
import * as chargeLockAndIdempotencyClaims from './0006-charge-lock-and-idempotency-claims.ts';
import * as practiceTimeZone from './0007-practice-time-zone.ts';
import * as apiTokenLifecycle from './0008-api-token-lifecycle.ts';
import * as journalSources from './0009-journal-sources.ts';
import * as webhookEndpoints from './0012-webhook-endpoints.ts';
import * as remittanceWork from './0013-remittance-work.ts';
import * as practiceSetupAndInvites from './0014-practice-setup-and-invites.ts';
import * as processorReconciliation from './0017-processor-reconciliation.ts';
import * as messages from './0021-messages.ts';
import * as dashboardTotals from './0022-dashboard-totals.ts';
import * as listIndexes from './0023-list-indexes.ts';
import * as processorReceipts from './0025-processor-receipts.ts';
import * as heldReceiptReturns from './0026-held-receipt-returns.ts';
import * as paymentNameSearch from './0027-payment-name-search.ts';
import * as patientPaymentsIndex from './0031-patient-payments-index.ts';
import * as listCounts from './0032-list-counts.ts';
import * as patientFundsIndex from './0033-patient-funds-index.ts';

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-refunds-and-credits': refundsAndCredits,
  '0003-remittance-and-tasks': remittanceAndTasks,
  '0004-eligibility-and-portal': eligibilityAndPortal,
  '0005-remittance-accounted': remittanceAccounted,
  '0006-charge-lock-and-idempotency-claims': chargeLockAndIdempotencyClaims,
  '0007-practice-time-zone': practiceTimeZone,
  '0008-api-token-lifecycle': apiTokenLifecycle,
  '0009-journal-sources': journalSources,
  '0012-webhook-endpoints': webhookEndpoints,
  '0013-remittance-work': remittanceWork,
  '0014-practice-setup-and-invites': practiceSetupAndInvites,
  '0017-processor-reconciliation': processorReconciliation,
  '0021-messages': messages,
  '0022-dashboard-totals': dashboardTotals,
  '0023-list-indexes': listIndexes,
  '0025-processor-receipts': processorReceipts,
  '0026-held-receipt-returns': heldReceiptReturns,
  '0027-payment-name-search': paymentNameSearch,
  '0031-patient-payments-index': patientPaymentsIndex,
  '0032-list-counts': listCounts,
  '0033-patient-funds-index': patientFundsIndex,
};
