import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';

/**
 * The reliability suite's shared parts: one way to call the API (in-process
 * or a real server), the practice fixtures every route needs, and the
 * figures each file records for the summary printed at the end.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    figuresDir: string;
  }
}

export interface Answer {
  status: number;
  headers: Record<string, unknown>;
  text: string;
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (a string or bytes) with the given content type, instead of JSON. */
  raw?: string | Buffer;
  contentType?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

export type Call = (method: string, url: string, options?: CallOptions) => Promise<Answer>;

function parse(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function headersOf(options: CallOptions): Record<string, string> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.raw !== undefined) headers['content-type'] = options.contentType ?? 'application/octet-stream';
  else if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return headers;
}

let clients = 0;

/** In-process calls; each from its own client address, so per-address rate limits do not hide a route's answers. */
export function injectCall(app: FastifyInstance): Call {
  return async (method, url, options = {}) => {
    const n = ++clients;
    const remoteAddress = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const payload = options.raw !== undefined ? options.raw : options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await app.inject({ method: method as 'GET', url, remoteAddress, headers: headersOf(options), ...(payload === undefined ? {} : { payload }) });
    return { status: response.statusCode, headers: response.headers, text: response.body, json: parse(response.body) };
  };
}

export function fetchCall(base: string): Call {
  return async (method, url, options = {}) => {
    const body = options.raw !== undefined ? options.raw : options.body === undefined ? undefined : JSON.stringify(options.body);
    const response = await fetch(`${base}${url}`, { method, headers: headersOf(options), body: body as string | undefined });
    const text = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers.entries()), text, json: parse(text) };
  };
}

/** Records one section's figures for the summary (tests/reliability/global-setup.ts prints them). */
export function recordFigures(section: string, figures: Record<string, unknown>): void {
  const dir = inject('figuresDir');
  const file = path.join(dir, `${section.replace(/[^\w-]+/g, '_')}.json`);
  fs.writeFileSync(file, JSON.stringify({ section, figures }, null, 2));
}

export const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

export function multipart(field: string, fileName: string, data: Buffer, contentType = 'image/png'): { raw: Buffer; contentType: string } {
  const boundary = `----ledger${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`);
  return { raw: Buffer.concat([head, data, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A small valid 835 paying one claim (control number, charge and paid in cents). */
export function era835(controlNumber: string, chargeCents: number, paidCents: number, trace: string): string {
  const d = (c: number) => (c / 100).toFixed(2);
  return [
    'ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260301*1200*^*00501*000000001*0*P*:~',
    'GS*HP*PAYER*PROVIDER*20260301*1200*1*X*005010X221A1~',
    'ST*835*0001~',
    `BPR*I*${d(paidCents)}*C*ACH*CCP*01*999999999*DA*123456*1234567890**01*999999999*DA*654321*20260301~`,
    `TRN*1*${trace}*1234567890~`,
    'DTM*405*20260301~',
    'N1*PR*ACME HEALTH~',
    'N1*PE*ALPHA CLINIC*XX*1234567893~',
    'LX*1~',
    `CLP*${controlNumber}*1*${d(chargeCents)}*${d(paidCents)}*0*12*CLAIM${trace}~`,
    ...(chargeCents > paidCents ? [`CAS*CO*45*${d(chargeCents - paidCents)}~`] : []),
    'SE*11*0001~',
    'GE*1*1~',
    'IEA*1*000000001~',
  ].join('\n');
}

export interface Fixtures {
  locationId: string;
  patientId: string;
  otherPatientId: string;
  insuredPatientId: string;
  treatmentId: string;
  insuredTreatmentId: string;
  claimControlNumber: string;
  paidPaymentId: string;
  pendingPaymentId: string;
  cardPaymentId: string;
  documentId: string;
  applicationId: string;
  creditId: string;
  taskId: string;
  remittanceId: string;
  /** An open remittance exception (a claim payment matching no claim) and a claim of the practice to match it to. */
  exceptionId: string;
  claimId: string;
  linkToken: string;
  payerId: string;
  /** An invited staff user (no password yet) and the token of their invite link. */
  staffUserId: string;
  inviteToken: string;
  refundId: string;
  apiTokenId: string;
  webhookEndpointId: string;
  webhookDeliveryId: string;
}

/** Records the API cannot make on demand: a refund-owed task (the review waits 45 days) and a webhook delivery (the worker makes them). */
export interface DirectInserts {
  task(patientId: string, amountCents: number): Promise<string>;
  delivery(endpointId: string): Promise<string>;
}

const ok = (answer: Answer, status: number, what: string) => {
  if (answer.status !== status) throw new Error(`fixture ${what}: expected ${status}, got ${answer.status} ${answer.text.slice(0, 500)}`);
  return answer.json;
};

/**
 * One of every kind of record in a practice, made through the API as an
 * integrator would, so that every route has a real id to work on; what the
 * API cannot make on demand is inserted (`DirectInserts`).
 */
export async function makeFixtures(call: Call, token: string, insert: DirectInserts, tag = ''): Promise<Fixtures> {
  const as = { token };
  const location = ok(await call('POST', '/api/v1/locations', { ...as, body: { name: `Main ${tag}${Math.random()}` } }), 201, 'location');
  const patient = ok(await call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Rel', lastName: `Iable${tag}`, dateOfBirth: '1980-04-12' } }), 201, 'patient');
  const other = ok(await call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Oth', lastName: `Er${tag}`, dateOfBirth: '1981-05-13' } }), 201, 'other patient');
  const insured = ok(await call('POST', '/api/v1/patients', { ...as, body: { firstName: 'Ins', lastName: `Ured${tag}`, dateOfBirth: '1979-03-11' } }), 201, 'insured patient');
  ok(await call('PUT', `/api/v1/patients/${insured.id}/coverages`, { ...as, body: [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M123456' }] }), 200, 'coverage');
  const treatment = ok(
    await call('POST', '/api/v1/treatments', { ...as, body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. R', lines: [{ cpt: '99213', chargeCents: 20000 }] } }),
    201,
    'treatment',
  );
  const insuredTreatment = ok(
    await call('POST', '/api/v1/treatments', { ...as, body: { patientId: insured.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. R', lines: [{ cpt: '99214', chargeCents: 30000 }] } }),
    201,
    'insured treatment',
  );
  const claim = ok(await call('POST', `/api/v1/treatments/${insuredTreatment.id}/claims`, as), 201, 'claim');
  const claimControlNumber: string = claim.controlNumber;
  const paid = ok(await call('POST', '/api/v1/payments', { ...as, body: { patientId: patient.id, amountCents: 50000, method: 'cash', status: 'paid' } }), 201, 'paid payment');
  const pending = ok(await call('POST', '/api/v1/payments', { ...as, body: { patientId: patient.id, amountCents: 7000 } }), 201, 'pending payment');
  const card = ok(await call('POST', '/api/v1/payments', { ...as, body: { patientId: patient.id, amountCents: 9000, method: 'card' } }), 201, 'card payment');
  ok(await call('POST', `/api/v1/payments/${paid.id}/notes`, { ...as, body: { text: 'a note' } }), 201, 'note');
  const upload = multipart('file', 'scan.png', Buffer.concat([PNG, Buffer.alloc(64, 7)]));
  const document = ok(await call('POST', `/api/v1/payments/${paid.id}/documents`, { ...as, raw: upload.raw, contentType: upload.contentType }), 201, 'document');
  // Desk money applies itself to the open visit at once; take that back and apply part of it by hand.
  for (const automatic of ok(await call('GET', `/api/v1/payments/${paid.id}/applications`, as), 200, 'applications').items) {
    ok(await call('DELETE', `/api/v1/applications/${automatic.id}`, as), 200, 'unapply');
  }
  const application = ok(await call('POST', `/api/v1/payments/${paid.id}/applications`, { ...as, body: { treatmentId: treatment.id, amountCents: 1000 } }), 201, 'application');
  const refund = ok(await call('POST', `/api/v1/payments/${paid.id}/refunds`, { ...as, body: { amountCents: 100, reason: 'patient_request' } }), 201, 'refund');
  const credit = ok(await call('POST', `/api/v1/patients/${patient.id}/credits`, { ...as, body: { amountCents: 4000, reference: 'goodwill' } }), 201, 'credit');
  const link = ok(await call('POST', `/api/v1/payments/${pending.id}/link`, { ...as, body: { expiresInDays: 3 } }), 201, 'link');
  const linkToken = String(link.url).split('/').pop()!;
  const remittance = ok(
    await call('POST', '/api/v1/remittances', { ...as, raw: era835(claimControlNumber || 'NONE', 30000, 24000, `TR${tag}${Date.now()}`), contentType: 'text/plain' }),
    201,
    'remittance',
  );
  ok(await call('POST', '/api/v1/remittances', { ...as, raw: era835(`UNMATCHED${tag}`, 5000, 4000, `TX${tag}${Date.now()}`), contentType: 'text/plain' }), 201, 'exception');
  const exceptions = ok(await call('GET', '/api/v1/remittance-exceptions?status=open&pageSize=200', as), 200, 'exceptions');
  const exceptionId: string = exceptions.items.find((e: { patientControlNumber: string }) => e.patientControlNumber === `UNMATCHED${tag}`).id;
  ok(await call('PUT', '/api/v1/fee-schedules/ACME1', { ...as, body: [{ cpt: '99213', allowedCents: 9000 }] }), 200, 'fee schedule');
  const taskId = await insert.task(patient.id, 2000);
  const apiToken = ok(await call('POST', '/api/v1/api-tokens', { ...as, body: { name: `fixture ${tag}`, role: 'biller' } }), 201, 'api token');
  // Port 9 (discard) refuses at once, so a replay answers quickly with a failed attempt.
  const endpoint = ok(await call('POST', '/api/v1/webhook-endpoints', { ...as, body: { url: 'http://127.0.0.1:9/hook', events: ['payment.created'] } }), 201, 'webhook endpoint');
  const webhookDeliveryId = await insert.delivery(endpoint.id);
  const invited = ok(await call('POST', '/api/v1/users', { ...as, body: { email: `staff${tag}${Date.now()}${Math.floor(Math.random() * 1e6)}@alpha.example`, name: 'Staff', role: 'front_desk' } }), 201, 'invited user');
  return {
    locationId: location.id,
    patientId: patient.id,
    otherPatientId: other.id,
    insuredPatientId: insured.id,
    treatmentId: treatment.id,
    insuredTreatmentId: insuredTreatment.id,
    claimControlNumber,
    paidPaymentId: paid.id,
    pendingPaymentId: pending.id,
    cardPaymentId: card.id,
    documentId: document.id,
    applicationId: application.id,
    creditId: credit.id,
    taskId,
    remittanceId: remittance.id ?? remittance.remittanceId ?? '',
    exceptionId,
    claimId: claim.id,
    linkToken,
    payerId: 'ACME1',
    refundId: refund.id,
    apiTokenId: apiToken.id,
    webhookEndpointId: endpoint.id,
    webhookDeliveryId,
    staffUserId: invited.user.id,
    inviteToken: String(invited.inviteUrl).split('/').pop()!,
  };
}
