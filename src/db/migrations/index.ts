import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.ts';
import * as refundsAndCredits from './0002-refunds-and-credits.ts';
import * as remittanceAndTasks from './0003-remittance-and-tasks.ts';
import * as eligibilityAndPortal from './0004-eligibility-and-portal.ts';
import * as remittanceAccounted from './0005-remittance-accounted.ts';

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-refunds-and-credits': refundsAndCredits,
  '0003-remittance-and-tasks': remittanceAndTasks,
  '0004-eligibility-and-portal': eligibilityAndPortal,
  '0005-remittance-accounted': remittanceAccounted,
};
