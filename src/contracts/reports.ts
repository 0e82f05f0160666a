import { z } from 'zod';
import { accounts } from '../domain/ledger/journal.ts';
import { calendarDate, cents } from './common.ts';

export const trialBalanceQuery = z.object({
  asOf: calendarDate.optional().describe('Entries made up to the end of this day (UTC); all entries when left out'),
});

export const trialBalance = z.object({
  asOf: calendarDate.nullable(),
  accounts: z
    .array(z.object({ account: z.enum(accounts), balanceCents: cents.describe('Debits positive, credits negative') }))
    .describe('Every account of the chart of accounts, in chart order'),
  totalCents: cents.describe('The sum of the balances: always zero when the books balance'),
});
