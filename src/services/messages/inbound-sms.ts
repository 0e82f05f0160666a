import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { systemActor } from '../actor.ts';

/** The carrier-standard keywords (Twilio honours the same ones on its side). */
const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);

/**
 * An inbound SMS: STOP opts out, START opts back in, every patient we have
 * texted at that number, in every practice (one sending number serves them
 * all, so the carrier blocks them all too). Anything else is ignored.
 */
export async function handleInboundSms(db: Db, { from, body }: { from: string; body: string }): Promise<{ keyword: 'stop' | 'start' | null; patientsUpdated: number }> {
  const word = body.trim().toUpperCase();
  const keyword = STOP_WORDS.has(word) ? 'stop' : START_WORDS.has(word) ? 'start' : null;
  if (!keyword || !from) return { keyword: null, patientsUpdated: 0 };
  return inTransaction(db, async (trx) => {
    const texted = await trx.selectFrom('messages').select(['practiceId', 'patientId']).distinct().where('channel', '=', 'sms').where('toAddress', '=', from).execute();
    const optOut = keyword === 'stop' ? 1 : 0;
    let updated = 0;
    for (const { practiceId, patientId } of texted) {
      const result = await trx.updateTable('patients').set({ smsOptOut: optOut }).where('id', '=', patientId).where('practiceId', '=', practiceId).where('smsOptOut', '!=', optOut).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) continue;
      updated++;
      await recordAudit(trx, systemActor(practiceId, 'inbound-sms'), {
        action: keyword === 'stop' ? 'patient.sms_opted_out' : 'patient.sms_opted_in',
        entityType: 'patient',
        entityId: patientId,
        after: { smsOptOut: optOut === 1, by: `inbound ${word}` },
      });
    }
    return { keyword, patientsUpdated: updated };
  });
}
