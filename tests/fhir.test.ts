import type { Bundle, ClaimResponse, Extension, Money, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { decimalOfCents } from '../src/domain/money.ts';
import { build835 } from '../src/x12/build-835.ts';
import { makeLocation, makePatient } from './helpers/factories.ts';
import { validateR4 } from './helpers/fhir-validator.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type Caller, type TestApp } from './helpers/test-app.ts';

const usd = (cents: number): Money => ({ value: Number(decimalOfCents(cents)), currency: 'USD' });
const ext = (resource: { extension?: Extension[] }, name: string) => resource.extension?.find((e) => e.url.endsWith(`/StructureDefinition/${name}`))?.valueMoney;

/** A FHIR answer: its media type, never cached, and valid R4 (every resource and Bundle the tests see). */
async function fhir<T extends Resource>(t: TestApp, path: string, status = 200, as: Caller | null = t.frontDesk): Promise<T> {
  const answer = await t.request('GET', `/fhir/R4${path}`, { as });
  expect(answer.statusCode, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/fhir\+json/);
  expect(answer.headers['cache-control']).toBe('no-store');
  const body = answer.json() as T;
  validateR4(body);
  return body;
}

async function search(t: TestApp, query: string): Promise<Bundle> {
  const bundle = await fhir<Bundle>(t, query);
  expect(bundle.type).toBe('searchset');
  expect(bundle.link?.find((l) => l.relation === 'self')?.url).toMatch(/^http:\/\/ledger\.test\/fhir\/R4\//);
  return bundle;
}

/**
 * A patient with coverage, a two-line visit billed to the payer, the payer's
 * 835 posted (paid, contractual write-off, copay and deductible), then two
 * payments: the first applied to the visit whole (the product applies paid
 * money to what the patient owes), the second partly, the rest partly
 * refunded and left unapplied.
 */
async function scenario(t: TestApp) {
  const location = await makeLocation(t);
  const patient = await makePatient(t, undefined, { email: 'pat@example.com', phone: '555-0100' });
  json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ order: 1, payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M-1001' }] }), 200);
  const treatment = json(
    await t.request('POST', '/api/v1/treatments', {
      body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Osei', lines: [{ cpt: '99213', chargeCents: 12345 }, { cpt: '85025', chargeCents: 1001, units: 2 }] },
    }),
    201,
  );
  const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
  const era = build835([
    {
      payerName: 'ACME HEALTH',
      payerId: '11111',
      traceNumber: `EFT-${patient.id.slice(-8)}`,
      paymentDate: '2026-03-20',
      claims: [
        {
          controlNumber: claim.controlNumber,
          status: '1',
          chargeCents: 14347,
          paidCents: 10000,
          patientResponsibilityCents: 2000,
          adjustments: [
            { group: 'CO', reason: '45', amountCents: 2347 },
            { group: 'PR', reason: '3', amountCents: 1500 },
            { group: 'PR', reason: '1', amountCents: 500 },
          ],
        },
      ],
      // A provider-level adjustment withheld from the payment (PLB): the payment is the claims' 100.00 less 2.50.
      plb: [{ reason: 'WO', amountCents: 250 }],
    },
  ]);
  const remittance = json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era, headers: { 'content-type': 'text/plain' } }), 201);
  expect(remittance.postedCount).toBe(1);
  const applied = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 1500, method: 'cash', status: 'paid' } }), 201);
  const unapplied = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 700, method: 'check', checkNumber: '1042', status: 'paid' } }), 201);
  json(
    await t.request('POST', `/api/v1/payments/${unapplied.id}/refunds`, { body: { amountCents: 100, reason: 'patient_request' }, headers: { 'idempotency-key': `fhir-refund-${unapplied.id}` } }),
    201,
  );
  await t.expectLedgerBalances();
  return { location, patient, treatment, claim, remittance, applied, unapplied };
}

/** Every path of Fastify's printed route tree ("├── /a (GET)" with "│   └── /:id (GET)" under it), in full. */
function servedPaths(tree: string): string[] {
  const stack: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    paths.push(stack.join(''));
  }
  return paths;
}

describe.each(dialects)('FHIR R4 read API on %s', (dialect) => {
  const t = useTestApp(dialect);
  let made: ReturnType<typeof scenario> | undefined;
  const setUp = () => (made ??= scenario(t));

  it('reads every resource type, each valid R4, its amounts to the cent what the product API answers', async () => {
    const { patient, treatment, remittance, applied, unapplied } = await setUp();
    const page = json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200);
    const visit = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200);
    const imported = json(await t.request('GET', `/api/v1/remittances/${remittance.id}`, { as: t.biller }), 200);
    // The scenario's figures, as the product computes them.
    expect(page.balance).toEqual({ patientResponsibilityCents: 0, unappliedCents: 100, creditCents: 0 });
    expect(visit.balanceCents).toBe(0);
    expect(visit.claims[0]).toMatchObject({ paidCents: 10000, contractualCents: 2347, patientResponsibilityCents: 2000 });

    const fhirPatient = await fhir<any>(t, `/Patient/${patient.id}`);
    expect(fhirPatient).toMatchObject({ resourceType: 'Patient', id: patient.id, birthDate: patient.dateOfBirth, name: [{ family: patient.lastName, given: [patient.firstName] }] });
    expect(fhirPatient.identifier[0].value).toBe(patient.accountId);

    const account = await fhir<any>(t, `/Account/${patient.id}`);
    expect(account.subject).toEqual([{ reference: `Patient/${patient.id}` }]);
    expect(ext(account, 'patient-responsibility-balance')).toEqual(usd(page.balance.patientResponsibilityCents));
    expect(ext(account, 'unapplied-payments')).toEqual(usd(page.balance.unappliedCents));
    expect(ext(account, 'patient-credit')).toEqual(usd(page.balance.creditCents));

    const invoice = await fhir<any>(t, `/Invoice/${treatment.id}`);
    expect(invoice).toMatchObject({ status: 'balanced', subject: { reference: `Patient/${patient.id}` }, date: '2026-03-02' });
    expect(invoice.totalGross).toEqual(usd(visit.chargeCents));
    expect(invoice.totalNet).toEqual(usd(visit.patientResponsibilityCents));
    expect(ext(invoice, 'patient-balance')).toEqual(usd(visit.balanceCents));
    expect(ext(invoice, 'insurance-paid')).toEqual(usd(visit.claims[0].paidCents));
    expect(ext(invoice, 'insurance-adjustment')).toEqual(usd(visit.claims[0].contractualCents));
    expect(ext(invoice, 'patient-paid')).toEqual(usd(visit.patientResponsibilityCents - visit.balanceCents));
    expect(invoice.lineItem.map((l: any) => l.priceComponent[0].amount)).toEqual([usd(12345), usd(2002)]);

    // Each line of the Invoice is a ChargeItem: CPT, units, the line's charge.
    const lineIds = invoice.lineItem.map((l: any) => l.chargeItemReference.reference.replace('ChargeItem/', ''));
    const items = await Promise.all(lineIds.map((id: string) => fhir<any>(t, `/ChargeItem/${id}`)));
    expect(items.map((c) => [c.code.coding[0].code, c.quantity.value, c.priceOverride])).toEqual([
      ['99213', 1, usd(12345)],
      ['85025', 2, usd(2002)],
    ]);
    expect(items.map((c) => c.subject.reference)).toEqual([`Patient/${patient.id}`, `Patient/${patient.id}`]);

    for (const payment of [applied, unapplied]) {
      const shown = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200);
      const notice = await fhir<any>(t, `/PaymentNotice/${payment.id}`);
      expect(notice).toMatchObject({ status: 'active', payment: { reference: `PaymentReconciliation/${payment.id}` }, paymentStatus: { coding: [{ code: 'paid' }] } });
      expect(notice.amount).toEqual(usd(shown.amountCents));
      const reconciliation = await fhir<any>(t, `/PaymentReconciliation/${payment.id}`);
      expect(reconciliation).toMatchObject({ outcome: 'complete', paymentDate: shown.paidDate });
      expect(reconciliation.paymentAmount).toEqual(usd(shown.amountCents));
    }
    // Each payment's details: what it applied to which visit (as the product lists its applications), then its refunds.
    for (const payment of [applied, unapplied]) {
      const applications = json(await t.request('GET', `/api/v1/payments/${payment.id}/applications`), 200).items.filter((a: any) => !a.removedAt);
      const refunds = json(await t.request('GET', `/api/v1/payments/${payment.id}/refunds`), 200).items;
      const { detail } = await fhir<any>(t, `/PaymentReconciliation/${payment.id}`);
      expect(detail.map((d: any) => [d.type.coding[0].code, d.request?.reference, d.amount])).toEqual([
        ...applications.map((a: any) => ['payment', `Invoice/${a.treatmentId}`, usd(a.amountCents)]),
        ...refunds.map((r: any) => ['adjustment', undefined, usd(-r.amountCents)]),
      ]);
    }
    expect(json(await t.request('GET', `/api/v1/payments/${unapplied.id}/refunds`), 200).items).toHaveLength(1);

    // The payer's 835: a PaymentReconciliation whose details are its claims, each pointing at its ClaimResponse.
    const payerPayments = (await search(t, `/PaymentReconciliation?patient=${patient.id}`)).entry!.map((e) => e.resource as any).filter((r) => r.id !== applied.id && r.id !== unapplied.id);
    expect(payerPayments).toHaveLength(1);
    const payer = await fhir<any>(t, `/PaymentReconciliation/${payerPayments[0]!.id}`);
    expect(payer.paymentAmount).toEqual(usd(imported.payments[0].paymentCents));
    expect(payer.paymentDate).toBe('2026-03-20');
    expect(imported.payments[0].paymentCents).toBe(9750);
    expect(payer.detail.map((d: any) => [d.type.coding[0].code, d.amount])).toEqual([
      ['payment', usd(imported.claims[0].paidCents)],
      ['adjustment', usd(-imported.payments[0].providerAdjustmentCents)],
    ]);
    // The details add up to the payment, to the cent.
    expect(payer.detail.reduce((cents: number, d: any) => cents + Math.round(d.amount.value * 100), 0)).toBe(imported.payments[0].paymentCents);
    const claimResponseId = payer.detail[0].response.reference.replace('ClaimResponse/', '');

    const claimResponse = await fhir<ClaimResponse>(t, `/ClaimResponse/${claimResponseId}`);
    expect(claimResponse.patient).toEqual({ reference: `Patient/${patient.id}` });
    expect(claimResponse.status).toBe('active');
    const total = Object.fromEntries(claimResponse.total!.map((x) => [x.category.coding![0]!.code, x.amount]));
    expect(total).toEqual({
      submitted: usd(visit.claims[0].billedCents),
      eligible: usd(visit.claims[0].billedCents - visit.claims[0].contractualCents),
      benefit: usd(visit.claims[0].paidCents),
      'patient-responsibility': usd(visit.claims[0].patientResponsibilityCents),
      'contractual-adjustment': usd(visit.claims[0].contractualCents),
      copay: usd(1500),
      deductible: usd(500),
    });
    expect(claimResponse.payment?.amount).toEqual(usd(imported.claims[0].paidCents));
    const cas = claimResponse.item![0]!.adjudication.filter((a) => a.reason).map((a) => [a.category.coding![0]!.code, a.reason!.coding![0]!.code, a.amount]);
    expect(cas).toEqual([
      ['CO', '45', usd(2347)],
      ['PR', '3', usd(1500)],
      ['PR', '1', usd(500)],
    ]);
  });

  it('searches by patient: searchset Bundles with the total and paging links, each valid R4', async () => {
    const { patient, treatment, applied, unapplied } = await setUp();
    const counts: Record<string, number> = {
      [`/Patient?_id=${patient.id}`]: 1,
      [`/Account?patient=${patient.id}`]: 1,
      [`/Account?subject=Patient/${patient.id}`]: 1,
      [`/ChargeItem?subject=Patient/${patient.id}`]: 2,
      [`/Invoice?patient=${patient.id}`]: 1,
      [`/Invoice?subject=${patient.id}`]: 1,
      [`/PaymentNotice?patient=${patient.id}`]: 2,
      [`/PaymentReconciliation?patient=${patient.id}`]: 3,
      [`/ClaimResponse?patient=${patient.id}`]: 1,
    };
    for (const [query, total] of Object.entries(counts)) {
      const bundle = await search(t, query);
      expect(bundle.total, query).toBe(total);
      expect(bundle.entry, query).toHaveLength(total);
      for (const entry of bundle.entry!) expect(entry.fullUrl).toBe(`http://ledger.test/fhir/R4/${entry.resource!.resourceType}/${entry.resource!.id}`);
    }
    expect((await search(t, `/Invoice?patient=${patient.id}`)).entry![0]!.resource!.id).toBe(treatment.id);
    expect((await search(t, `/PaymentNotice?patient=${patient.id}`)).entry!.map((e) => e.resource!.id)).toEqual([applied.id, unapplied.id]);

    // Paging: one at a time, following the links.
    const first = await search(t, `/ChargeItem?patient=${patient.id}&_count=1`);
    expect(first.total).toBe(2);
    expect(first.entry).toHaveLength(1);
    expect(first.link?.map((l) => l.relation)).toEqual(['self', 'first', 'next']);
    const next = first.link!.find((l) => l.relation === 'next')!.url.replace('http://ledger.test/fhir/R4', '');
    const second = await search(t, next);
    expect(second.entry).toHaveLength(1);
    expect(second.entry![0]!.resource!.id).not.toBe(first.entry![0]!.resource!.id);
    expect(second.link?.map((l) => l.relation)).toEqual(['self', 'first', 'previous']);

    // Another practice's patient finds nothing there, and a patient with nothing yet finds empty Bundles.
    const other = await makePatient(t, t.otherAdmin);
    expect((await search(t, `/Invoice?patient=${other.id}`)).total).toBe(0);
    expect((await search(t, `/Account?patient=${other.id}`)).total).toBe(0);
  });

  it('answers errors as OperationOutcome: another practice 404, no token 401, bad input 400', async () => {
    const { patient, treatment, applied } = await setUp();
    const outcome = async (path: string, status: number, issueCode: string, as: Caller | null = t.frontDesk) => {
      const body = await fhir<any>(t, path, status, as);
      expect(body.resourceType).toBe('OperationOutcome');
      expect(body.issue[0].code, path).toBe(issueCode);
    };
    for (const path of [`/Patient/${patient.id}`, `/Account/${patient.id}`, `/Invoice/${treatment.id}`, `/PaymentNotice/${applied.id}`, `/PaymentReconciliation/${applied.id}`]) {
      await outcome(path, 404, 'not-found', t.otherAdmin);
      await outcome(path, 401, 'login', null);
    }
    await outcome(`/ChargeItem?patient=${patient.id}`, 401, 'login', null);
    await outcome('/Invoice/not%20an%20id', 400, 'invalid');
    await outcome('/Invoice', 400, 'invalid');
    await outcome(`/Invoice?patient=${patient.id}&subject=${patient.id}`, 400, 'invalid');
    await outcome(`/Invoice?patient=${patient.id}&_count=0`, 400, 'invalid');
    await outcome(`/Invoice?patient=Organization/${patient.id}`, 400, 'invalid');
    await outcome('/Claim/whatever', 404, 'not-found');
    const bad = await t.request('GET', `/fhir/R4/Patient/${patient.id}`, { as: null, headers: { authorization: 'Bearer pl_not-a-token' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().resourceType).toBe('OperationOutcome');
  });

  it('the CapabilityStatement (public, valid R4) lists exactly the routes the server has', async () => {
    const statement = await fhir<any>(t, '/metadata', 200, null);
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', format: ['application/fhir+json'], kind: 'instance' });
    const resources = statement.rest[0].resource as Array<{ type: string; interaction: Array<{ code: string }>; searchParam: Array<{ name: string }> }>;
    const declared = new Set<string>(['/metadata']);
    for (const r of resources) {
      expect(r.interaction.map((i) => i.code)).toEqual(['read', 'search-type']);
      declared.add(`/${r.type}/:id`);
      declared.add(`/${r.type}`);
    }
    expect(resources.map((r) => r.type).sort()).toEqual(['Account', 'ChargeItem', 'ClaimResponse', 'Invoice', 'Patient', 'PaymentNotice', 'PaymentReconciliation']);
    // Every route the server has under /fhir/R4, from its own route table.
    const fhirPaths = servedPaths(t.app.printRoutes({ commonPrefix: false }))
      .filter((path) => path.startsWith('/fhir/R4/'))
      .map((path) => path.slice('/fhir/R4'.length));
    expect(fhirPaths.sort()).toEqual([...declared].sort());
    // Not in the OpenAPI document (its errors are OperationOutcomes, not problem+json), which still builds.
    const openapi = json(await t.request('GET', '/api/v1/openapi.json', { as: null }), 200);
    expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/fhir'))).toEqual([]);
    // And each declared search parameter works.
    const { patient } = await setUp();
    for (const r of resources) {
      for (const p of r.searchParam.filter((s) => !s.name.startsWith('_') || s.name === '_id')) {
        const bundle = await search(t, `/${r.type}?${p.name}=${patient.id}`);
        expect(bundle.total, `${r.type}?${p.name}`).toBeGreaterThan(0);
      }
    }
  });

  it('a posting the payer reversed and corrected: the first ClaimResponse cancelled, the reversal and the correction active, each as the 835 says', async () => {
    const location = await makeLocation(t);
    const patient = await makePatient(t);
    json(await t.request('PUT', `/api/v1/patients/${patient.id}/coverages`, { body: [{ order: 1, payerName: 'ACME HEALTH', payerId: '11111', memberId: 'M-2002' }] }), 200);
    const treatment = json(await t.request('POST', '/api/v1/treatments', { body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-02-02', physician: 'Dr. R', lines: [{ cpt: '99214', chargeCents: 12000 }] } }), 201);
    const claim = json(await t.request('POST', `/api/v1/treatments/${treatment.id}/claims`, { as: t.biller }), 201);
    const A = { payerName: 'ACME HEALTH', payerId: '11111' };
    const paid = { controlNumber: claim.controlNumber, status: '1', chargeCents: 12000, paidCents: 7000, patientResponsibilityCents: 2500, adjustments: [{ group: 'CO', reason: '45', amountCents: 2500 }, { group: 'PR', reason: '2', amountCents: 2500 }] };
    const era = (traceNumber: string, paymentDate: string, claims: any[]) => build835([{ ...A, traceNumber: `${traceNumber}-${patient.id.slice(-6)}`, paymentDate, claims }]);
    json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era('R-1', '2026-02-10', [paid]), headers: { 'content-type': 'text/plain' } }), 201);
    const reversal = { ...paid, status: '22', chargeCents: -12000, paidCents: -7000, patientResponsibilityCents: -2500, adjustments: [{ group: 'CO', reason: '45', amountCents: -2500 }, { group: 'PR', reason: '2', amountCents: -2500 }] };
    const corrected = { ...paid, paidCents: 8000, patientResponsibilityCents: 1500, adjustments: [{ group: 'CO', reason: '45', amountCents: 2500 }, { group: 'PR', reason: '2', amountCents: 1500 }] };
    const result = json(await t.request('POST', '/api/v1/remittances', { as: t.biller, body: era('R-2', '2026-02-24', [reversal, corrected]), headers: { 'content-type': 'text/plain' } }), 201);
    expect(result.claims.map((c: any) => c.outcome)).toEqual(['reversal', 'posted']);

    const responses = (await search(t, `/ClaimResponse?patient=${patient.id}`)).entry!.map((e) => e.resource as ClaimResponse);
    const benefit = (r: ClaimResponse) => r.total!.find((x) => x.category.coding![0]!.code === 'benefit')!.amount;
    expect(responses.map((r) => [r.status, benefit(r)])).toEqual([
      ['cancelled', usd(7000)],
      ['active', usd(8000)],
    ]);
    // The second payment's details: the $70.00 taken back (no adjudication of its own) and the corrected claim.
    const payments = (await search(t, `/PaymentReconciliation?patient=${patient.id}`)).entry!.map((e) => e.resource as any);
    const second = payments.find((p) => p.paymentDate === '2026-02-24');
    expect(second.paymentAmount).toEqual(usd(1000));
    expect(second.detail.map((d: any) => [d.amount, d.response?.reference])).toEqual([
      [usd(-7000), undefined],
      [usd(8000), `ClaimResponse/${responses[1]!.id}`],
    ]);
    // What stands is the correction: the claim as the product shows it.
    const visitClaim = json(await t.request('GET', `/api/v1/treatments/${treatment.id}`), 200).claims[0];
    const standing = responses.filter((r) => r.status === 'active').reduce((cents, r) => cents + Math.round(benefit(r).value! * 100), 0);
    expect(standing).toBe(visitClaim.paidCents);
    const invoice = await fhir<any>(t, `/Invoice/${treatment.id}`);
    expect(ext(invoice, 'insurance-paid')).toEqual(usd(visitClaim.paidCents));
  });

  it('the validator really checks R4: a wrong resource fails it', () => {
    expect(() => validateR4({ resourceType: 'Invoice', status: 'issued', totalNet: { value: '1.00' as unknown as number, currency: 'USD' } })).toThrow(/not valid FHIR R4/);
    expect(() => validateR4({ resourceType: 'ClaimResponse', status: 'active' } as Resource)).toThrow(/not valid FHIR R4/);
    expect(() => validateR4({ resourceType: 'Account', status: 'active', balance: 5 } as Resource)).toThrow(/not valid FHIR R4/);
    expect(() => validateR4({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'PaymentNotice', status: 'active' } as Resource }] })).toThrow(/not valid FHIR R4/);
  });
});
