import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build835 } from '../src/x12/build-835.ts';
import { read835Text } from '../src/x12/index.ts';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { json, type TestApp, useTestApp } from './helpers/test-app.ts';
import { dialects } from './helpers/test-database.ts';

/**
 * Issue 10: every claim in an 835 is accounted for exactly once (posted, an
 * exception with its reason, or a duplicate naming the earlier import),
 * balancing is checked at every level, and a file that cannot be read is
 * refused with nothing stored.
 */

const fixtures = process.env.X12_FIXTURES_DIR ?? path.resolve(process.cwd(), '../shared/fixtures/x12');
const A = { payerName: 'ACME HEALTH', payerId: '11111' };

function importEra(t: TestApp, body: string | Buffer, fileName?: string, contentType = 'text/plain') {
  return t.request('POST', '/api/v1/remittances', { as: t.biller, body, headers: { 'content-type': contentType, ...(fileName ? { 'x-file-name': fileName } : {}) } });
}

async function claimFor(t: TestApp, chargeCents = 15000) {
  const location = await makeLocation(t);
  const patient = await makePatient(t);
  json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ ...A, memberId: `M${patient.id.slice(-6)}`, order: 1 }] }), 200);
  const treatment = json(await t.request('POST', '/api/v1/treatments', { body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents }] } }), 201);
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
  return { patient, treatment, claim };
}

/** Every claim of an answer once: posted + exceptions + duplicates = claimCount, and the lists agree with `claims`. */
function expectAccounted(result: any, file = '') {
  const posted = result.claims.filter((c: any) => !['exception', 'duplicate'].includes(c.outcome));
  expect(posted.length, file).toBe(result.postedCount);
  expect(result.postedCount + result.exceptionCount + result.duplicateCount, file).toBe(result.claimCount);
  expect([result.exceptions.length, result.duplicates.length, result.truncated], file).toEqual([result.exceptionCount, result.duplicateCount, false]);
  expect(result.claims.length, file).toBe(result.claimCount);
  for (const p of result.payments) expect(p.postedCount + p.exceptionCount + p.duplicateCount, file).toBe(p.claimCount);
}

async function counts(t: TestApp) {
  const db = t.database.handle.db;
  const n = async (table: 'remittances' | 'remittancePayments' | 'remittanceClaims' | 'journalLines' | 'auditEvents') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { remittances: await n('remittances'), payments: await n('remittancePayments'), claims: await n('remittanceClaims'), lines: await n('journalLines') };
}

const paid = (controlNumber: string) => ({
  controlNumber,
  status: '1',
  chargeCents: 15000,
  paidCents: 8000,
  patientResponsibilityCents: 4000,
  adjustments: [
    { group: 'CO', reason: '45', amountCents: 3000 },
    { group: 'PR', reason: '2', amountCents: 4000 },
  ],
});

describe.each(dialects)('every 835 claim accounted for on %s', (dialect) => {
  const t = useTestApp(dialect);

  it.skipIf(!fs.existsSync(fixtures))('accounts for every fixture claim by claim', async () => {
    const seen: string[] = [];
    for (const file of fs.readdirSync(fixtures).filter((f) => /835|\.edi$|\.txt$/.test(f) && !f.includes('271')).sort()) {
      const text = fs.readFileSync(path.join(fixtures, file), 'utf8');
      const read = read835Text(text);
      const expected = read.transactions.flatMap((s) => s.claims.map((c) => `${c.patientControlNumber}@${c.segmentNumber}`)).sort();
      const response = await importEra(t, text, file);
      if (read.transactions.length === 0) {
        // Nothing of an 835 could be read (pyx12's mult_isa has empty 835 sets): refused, nothing stored.
        expect(response.statusCode, file).toBe(422);
        expect(response.json(), file).toMatchObject({ code: 'file_unreadable' });
        continue;
      }
      expect(response.statusCode, file).toBe(201);
      const result = response.json();
      expectAccounted(result, file);
      expect(result.claims.map((c: any) => `${c.patientControlNumber}@${c.segmentNumber}`).sort(), file).toEqual(expected);
      // None of these payers' claims are ours: exceptions, or duplicates of a payment an earlier fixture brought.
      expect(result.postedCount, file).toBe(0);
      for (const d of result.duplicates) expect(seen, file).toContain(d.duplicateOf.fileName);
      for (const e of result.exceptions) expect(e.reasonCode, file).toMatch(/^(no_claim|malformed)$/);
      seen.push(file);
    }
    await t.expectLedgerBalances();
  });

  it('a file repeated within one import posts once; the second copy is duplicates naming this import', async () => {
    const { claim, treatment } = await claimFor(t);
    const once = build835([{ ...A, traceNumber: 'REP-1', paymentDate: '2026-03-20', claims: [paid(claim.controlNumber), { controlNumber: 'STRANGER-1', status: '1', chargeCents: 900, paidCents: 900 }] }]);
    const twice = once + build835([{ ...A, traceNumber: 'REP-1', paymentDate: '2026-03-20', claims: [paid(claim.controlNumber), { controlNumber: 'STRANGER-1', status: '1', chargeCents: 900, paidCents: 900 }] }], { envelope: 102 });
    const result = json(await importEra(t, twice, 'twice.835'), 201);
    expectAccounted(result);
    expect(result).toMatchObject({ claimCount: 4, postedCount: 1 });
    expect(result.exceptions.map((e: any) => [e.patientControlNumber, e.reasonCode, e.paidCents])).toEqual([['STRANGER-1', 'no_claim', 900]]);
    expect(result.duplicates.map((d: any) => [d.patientControlNumber, d.duplicateOf.remittanceId, d.duplicateOf.fileName])).toEqual([
      [claim.controlNumber, result.id, 'twice.835'],
      ['STRANGER-1', result.id, 'twice.835'],
    ]);
    const importedOn = String(result.createdAt ?? (await t.database.handle.db.selectFrom('remittances').select('createdAt').where('id', '=', result.id).executeTakeFirstOrThrow()).createdAt).slice(0, 10);
    expect(result.duplicates.map((d: any) => d.message)).toEqual([`Already posted by import twice.835 of ${importedOn}.`, `Already posted by import twice.835 of ${importedOn}.`]);
    expect(result.payments.map((p: any) => p.status)).toEqual(['posted', 'duplicate']);
    expect(json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200)).toMatchObject({ patientResponsibilityCents: 4000 });
    const stored = json(await t.request('GET', `/api/v1/remittances/${result.id}`), 200);
    expect({ claimCount: stored.claimCount, postedCount: stored.postedCount, exceptions: stored.exceptions.length, duplicates: stored.duplicates.length }).toEqual({ claimCount: 4, postedCount: 1, exceptions: 1, duplicates: 2 });
    await t.expectLedgerBalances();
  });

  it('two payments sharing a trace number with different content both post, with a warning', async () => {
    const first = await claimFor(t);
    const second = await claimFor(t);
    const file = build835([
      { ...A, traceNumber: 'SHARED-TRACE', paymentDate: '2026-03-20', claims: [paid(first.claim.controlNumber)] },
      { ...A, traceNumber: 'SHARED-TRACE', paymentDate: '2026-03-20', claims: [paid(second.claim.controlNumber)] },
    ]);
    const result = json(await importEra(t, file, 'shared.835'), 201);
    expectAccounted(result);
    expect(result).toMatchObject({ claimCount: 2, postedCount: 2, exceptions: [], duplicates: [] });
    expect(result.payments.map((p: any) => p.status)).toEqual(['posted', 'posted']);
    expect(result.warnings.filter((w: any) => w.code === 'trace_number_reused').map((w: any) => w.message)).toEqual([
      `Payment SHARED-TRACE from ACME HEALTH: the same trace number was posted by import shared.835 of ${result.createdAt.slice(0, 10)} with different content; this one was posted too.`,
    ]);
    for (const v of [first, second]) expect(json(await t.request('GET', `/api/v1/treatments/${v.treatment.id}`), 200).patientResponsibilityCents).toBe(4000);
    await t.expectLedgerBalances();
  });

  it('a bare reversal with no amounts is an exception naming the claim; the rest of the payment posts', async () => {
    const { claim } = await claimFor(t);
    const other = await claimFor(t);
    json(await importEra(t, build835([{ ...A, traceNumber: 'BARE-0', paymentDate: '2026-03-10', claims: [paid(claim.controlNumber)] }])), 201);
    const file = build835([{ ...A, traceNumber: 'BARE-1', paymentDate: '2026-03-20', claims: [paid(other.claim.controlNumber)] }]).replace(
      `CLP*${other.claim.controlNumber}`,
      `CLP*${claim.controlNumber}*22~\nCLP*${other.claim.controlNumber}`,
    );
    const result = json(await importEra(t, file), 201);
    expectAccounted(result);
    expect(result).toMatchObject({ claimCount: 2, postedCount: 1, duplicates: [] });
    expect(result.exceptions).toHaveLength(1);
    expect(result.exceptions[0]).toMatchObject({ patientControlNumber: claim.controlNumber, claimId: claim.id, statusCode: '22', reasonCode: 'malformed', paidCents: 0 });
    expect(result.exceptions[0].message).toMatch(new RegExp(`^Claim ${claim.controlNumber}: a reversal that cannot be posted: .*CLP03`));
    // The earlier posting stands: nothing was reversed.
    const claims = json(await t.request('GET', `/api/v1/treatments/${(await t.database.handle.db.selectFrom('claims').select('treatmentId').where('id', '=', claim.id).executeTakeFirstOrThrow()).treatmentId}`), 200).claims;
    expect(claims[0]).toMatchObject({ status: 'processed', paidCents: 8000 });
    await t.expectLedgerBalances();
  });

  it('a malformed claim (bad status, unreadable CAS, missing amounts) is an exception with its reason; its money waits in suspense', async () => {
    const good = await claimFor(t);
    const file = build835([{ ...A, traceNumber: 'MAL-1', paymentDate: '2026-03-20', claims: [paid(good.claim.controlNumber), { controlNumber: 'BADCAS', status: '1', chargeCents: 500, paidCents: 500 }, { controlNumber: 'BADSTATUS', status: '1', chargeCents: 700, paidCents: 700 }] }])
      .replace('CLP*BADCAS*1*5.00*5.00*0.00*12*PAYERCLAIMBADCAS*11*1~', 'CLP*BADCAS*1*5.00*5.00*0.00*12*PAYERCLAIMBADCAS*11*1~\nCAS*ZZ*45*1.00~')
      .replace('CLP*BADSTATUS*1*', 'CLP*BADSTATUS*99*');
    const result = json(await importEra(t, file), 201);
    expectAccounted(result);
    expect(result.postedCount).toBe(1);
    expect(result.exceptions.map((e: any) => [e.patientControlNumber, e.reasonCode, e.paidCents])).toEqual([
      ['BADCAS', 'malformed', 500],
      ['BADSTATUS', 'malformed', 700],
    ]);
    expect(result.exceptions[0].message).toMatch(/^Claim BADCAS \(no claim of ours\) cannot be posted: .*CAS01 "ZZ" is not an adjustment group code.* \(segment \d+\)\.$/);
    expect(result.exceptions[1].message).toMatch(/^Claim BADSTATUS \(no claim of ours\) cannot be posted: .*CLP02 "99" is not a claim status code.* \(segment \d+\)\.$/);
    const suspense = await t.database.handle.db.selectFrom('remittanceClaims').select(['suspenseCents', 'exceptionStatus']).where('remittanceId', '=', result.id).where('outcome', '=', 'exception').execute();
    expect(suspense.map((r) => [Number(r.suspenseCents), r.exceptionStatus])).toEqual([[500, 'open'], [700, 'open']]);
    await t.expectLedgerBalances();
  });

  it('balances every level: an unbalanced line or claim is an exception in dollars, an unbalanced payment a warning', async () => {
    const lineOff = await claimFor(t);
    const claimOff = await claimFor(t);
    const fine = await claimFor(t);
    const file = build835([
      {
        ...A,
        traceNumber: 'BAL-1',
        paymentDate: '2026-03-20',
        paymentCents: 20000,
        claims: [
          // SVC02 $150.00 − CAS $30.00 ≠ SVC03 $100.00 (off by $20.00); the claim level balances.
          { ...paid(lineOff.claim.controlNumber), adjustments: [{ group: 'PR', reason: '2', amountCents: 4000 }], lines: [{ cpt: '99213', chargeCents: 15000, paidCents: 10000, adjustments: [{ group: 'CO', reason: '45', amountCents: 3000 }] }], paidCents: 8000 },
          // CLP03 $150.00 − CAS $70.00 ≠ CLP04 $75.00 (off by $5.00).
          { ...paid(claimOff.claim.controlNumber), paidCents: 7500 },
          paid(fine.claim.controlNumber),
        ],
      },
    ]);
    const result = json(await importEra(t, file), 201);
    expectAccounted(result);
    expect(result.postedCount).toBe(1);
    expect(result.exceptions.map((e: any) => [e.patientControlNumber, e.reasonCode, e.message])).toEqual([
      [lineOff.claim.controlNumber, 'does_not_balance', 'Service line 1 does not balance by $20.00.'],
      [claimOff.claim.controlNumber, 'does_not_balance', 'The claim does not balance by $5.00 (charge $150.00 − adjustments $70.00 ≠ paid $75.00).'],
    ]);
    expect(result.warnings.find((w: any) => w.code === 'payment_does_not_balance').message).toBe(
      'Payment BAL-1 does not balance by -$35.00: BPR02 $200.00 ≠ claims paid $235.00 − provider adjustments $0.00.',
    );
    // Not auto-posted: the claims stay submitted, their cash waits in suspense.
    for (const v of [lineOff, claimOff]) expect(json(await t.request('GET', `/api/v1/treatments/${v.treatment.id}`), 200).claims[0].status).toBe('submitted');
    await t.expectLedgerBalances();
  });

  it('refuses an empty file, UTF-16, random bytes, a terminator unlike the ISA and a file with no 835: 422, nothing stored', async () => {
    const good = build835([{ ...A, traceNumber: 'REF-1', paymentDate: '2026-03-20', claims: [{ controlNumber: 'NOBODY', status: '1', chargeCents: 100, paidCents: 100 }] }]);
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256));
    const cases: Array<[string, string | Buffer, string, RegExp]> = [
      ['empty', '', 'text/plain', /^The file is empty\.$/],
      ['utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good, 'utf16le')]), 'application/octet-stream', /UTF-16/],
      ['random bytes', random, 'application/octet-stream', /binary data, not X12/],
      ['terminator', good.replace(/~\n/g, '|\n').replace(/^([^|]*)\|/, '$1~'), 'text/plain', /declares "~" as the segment terminator .* but the segments end with "\|"/],
      ['no 835', good.replace('ST*835', 'ST*999'), 'text/plain', /no 835 transaction set, only 999/],
      ['not x12', 'Dear biller, here is the remittance.', 'text/plain', /not X12/],
    ];
    const before = await counts(t);
    for (const [name, body, type, detail] of cases) {
      const response = await importEra(t, body, `${name}.835`, type);
      expect(response.statusCode, name).toBe(422);
      expect(response.headers['content-type'], name).toContain('application/problem+json');
      expect(response.json(), name).toMatchObject({ status: 422, code: 'file_unreadable', detail: expect.stringMatching(detail) });
    }
    expect(await counts(t)).toEqual(before);
  });

  it('fuzzed files give only typed answers: accounted for, or refused, never a 500', async () => {
    const { claim } = await claimFor(t);
    const base = build835([{ ...A, traceNumber: 'FUZZ', paymentDate: '2026-03-20', claims: [paid(claim.controlNumber), { controlNumber: 'FZ-2', status: '4', chargeCents: 500, paidCents: 0, adjustments: [{ group: 'CO', reason: '50', amountCents: 500 }] }], plb: [{ reason: 'WO', amountCents: 100 }] }]);
    let seed = 20261129;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = '*~:^0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZ\n\u0000\u00ff';
    for (let round = 0; round < 40; round++) {
      const chars = [...base];
      for (let k = 0, edits = 1 + rand(6); k < edits; k++) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars[at] = alphabet[rand(alphabet.length)]!;
        else if (op === 1) chars.splice(at, 1 + rand(20));
        else chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
      }
      const response = await importEra(t, chars.join(''), `fuzz-${round}.835`);
      expect([200, 201, 422], `round ${round}: ${response.body}`).toContain(response.statusCode);
      if (response.statusCode === 422) expect(response.json().code).toBe('file_unreadable');
      else expectAccounted(response.json(), `round ${round}`);
    }
    await t.expectLedgerBalances();
  });
});
