import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import { accounts, type Account } from '../../domain/ledger/journal.ts';

export interface TrialBalance {
  asOf: string | null;
  accounts: Array<{ account: Account; balanceCents: number }>;
  /** The sum of every balance: zero when the books balance. */
  totalCents: number;
}

/**
 * The balance of every account of the chart for one practice, from the
 * journal entries made up to the end of `asOf` (UTC), or all of them.
 * Debits are positive, credits negative; the balances sum to zero.
 */
export async function trialBalance(db: Db, practiceId: string, asOf?: string): Promise<TrialBalance> {
  const rows = await sql<{ account: string; balance: number }>`
    select l.account, sum(l.amount_cents) as balance from journal_lines l
    join journal_entries e on e.id = l.entry_id
    where l.practice_id = ${practiceId}
    ${asOf ? sql`and e.created_at < ${journalCutoff(asOf)}` : sql``}
    group by l.account`.execute(db);
  const byAccount = new Map(rows.rows.map((r) => [r.account, Number(r.balance)]));
  const lines = accounts.map((account) => ({ account, balanceCents: byAccount.get(account) ?? 0 }));
  // An account outside the chart would be a bug; show it rather than hide money.
  for (const [account, balanceCents] of byAccount) {
    if (!(accounts as readonly string[]).includes(account)) lines.push({ account: account as Account, balanceCents });
  }
  return { asOf: asOf ?? null, accounts: lines, totalCents: lines.reduce((s, l) => s + l.balanceCents, 0) };
}

/** The first instant after `asOf` (UTC): entries made before it are the books as of that day. */
export function journalCutoff(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}
