import type { Permission } from '../../src/domain/roles.ts';
import { era835, multipart, PNG, type Fixtures } from './harness.ts';

/**
 * Every route of the API as designed: who may call it, which record its path
 * names, and a valid request. The suite fails when the OpenAPI document has a
 * route this table lacks, so a new route cannot go unchecked.
 */
export type Access = 'public' | 'staff' | Permission;

export interface RouteCase {
  access: Access;
  /** Path parameters naming practice A's records. */
  params?: (fx: Fixtures) => Record<string, string>;
  /** A valid JSON body, or a raw body with its content type. */
  body?: (fx: Fixtures) => unknown;
  raw?: (fx: Fixtures) => { raw: string | Buffer; contentType: string };
  query?: (fx: Fixtures) => string;
}

const id = (pick: (fx: Fixtures) => string) => (fx: Fixtures) => ({ id: pick(fx) });

export const routeTable: Record<string, RouteCase> = {
  'POST /api/v1/auth/login': { access: 'public', body: () => ({ email: 'nobody@alpha.example', password: 'not the password' }) },
  'POST /api/v1/auth/logout': { access: 'public' },
  'GET /api/v1/auth/me': { access: 'staff' },
  'POST /api/v1/locations': { access: 'locations:write', body: () => ({ name: `Annex ${Math.random()}` }) },
  'GET /api/v1/locations': { access: 'staff' },
  'PATCH /api/v1/locations/{id}': { access: 'locations:write', params: id((fx) => fx.locationId), body: () => ({ name: `Main ${Math.random()}` }) },
  'GET /api/v1/users': { access: 'users:write' },
  'POST /api/v1/users': { access: 'users:write', body: () => ({ email: `new${Math.floor(Math.random() * 1e9)}@alpha.example`, name: 'New', role: 'biller' }) },
  'PATCH /api/v1/users/{id}': { access: 'users:write', params: id((fx) => fx.staffUserId), body: () => ({ role: 'biller' }) },
  'POST /api/v1/users/{id}/invite': { access: 'users:write', params: id((fx) => fx.staffUserId) },
  'GET /api/v1/invites/{token}': { access: 'public', params: (fx) => ({ token: fx.inviteToken }) },
  'POST /api/v1/invites/{token}/accept': { access: 'public', params: (fx) => ({ token: fx.inviteToken }), body: () => ({ password: 'a long password' }) },
  'PATCH /api/v1/patients/{id}': { access: 'patients:write', params: id((fx) => fx.otherPatientId), body: () => ({ phone: '555-0100' }) },
  'POST /api/v1/patients': { access: 'patients:write', body: () => ({ firstName: 'New', lastName: 'Patient', dateOfBirth: '1990-01-01' }) },
  'GET /api/v1/patients': { access: 'staff', query: () => '?search=rel' },
  'GET /api/v1/patients/{id}': { access: 'staff', params: id((fx) => fx.patientId) },
  'PUT /api/v1/patients/{id}/coverages': {
    access: 'patients:write',
    params: id((fx) => fx.otherPatientId),
    body: () => [{ order: 1, payerName: 'Acme Health', payerId: 'ACME1', memberId: 'M999' }],
  },
  'POST /api/v1/treatments': {
    access: 'treatments:write',
    body: (fx) => ({ patientId: fx.otherPatientId, locationId: fx.locationId, serviceDate: '2026-04-01', physician: 'Dr. T', lines: [{ cpt: '99212', chargeCents: 5000 }] }),
  },
  'GET /api/v1/treatments/{id}': { access: 'staff', params: id((fx) => fx.treatmentId) },
  'POST /api/v1/treatments/{id}/claims': { access: 'remittance:write', params: id((fx) => fx.insuredTreatmentId) },
  'POST /api/v1/payments': { access: 'payments:write', body: (fx) => ({ patientId: fx.patientId, amountCents: 1234, method: 'cash', status: 'paid' }) },
  'GET /api/v1/payments': { access: 'payments:read' },
  'GET /api/v1/payments/export.csv': { access: 'payments:read' },
  'GET /api/v1/payments/{id}': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
  'PATCH /api/v1/payments/{id}': { access: 'payments:write', params: id((fx) => fx.pendingPaymentId), body: () => ({ memo: 'changed' }) },
  'POST /api/v1/payments/{id}/status': { access: 'payments:write', params: id((fx) => fx.pendingPaymentId), body: () => ({ status: 'processing' }) },
  'POST /api/v1/payments/{id}/charge': { access: 'payments:write', params: id((fx) => fx.cardPaymentId), body: () => ({ source: '4242424242424242' }) },
  'POST /api/v1/payments/{id}/charge/start': { access: 'payments:write', params: id((fx) => fx.cardPaymentId), body: () => ({}) },
  'POST /api/v1/payments/{id}/charge/finish': { access: 'payments:write', params: id((fx) => fx.cardPaymentId), body: () => ({ chargeReference: 'pi_not_ours' }) },
  'POST /api/v1/payments/{id}/notes': { access: 'payments:write', params: id((fx) => fx.paidPaymentId), body: () => ({ text: 'another note' }) },
  'GET /api/v1/payments/{id}/notes': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
  'POST /api/v1/payments/{id}/documents': {
    access: 'payments:write',
    params: id((fx) => fx.paidPaymentId),
    raw: () => multipart('file', 'receipt.png', Buffer.concat([PNG, Buffer.alloc(32, 1)])),
  },
  'GET /api/v1/payments/{id}/documents': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
  'GET /api/v1/payments/{id}/documents/{documentId}': { access: 'payments:read', params: (fx) => ({ id: fx.paidPaymentId, documentId: fx.documentId }) },
  'POST /api/v1/payments/{id}/link': { access: 'payments:write', params: id((fx) => fx.pendingPaymentId), body: () => ({ expiresInDays: 2 }) },
  'POST /api/v1/payments/{id}/link/send': { access: 'payments:write', params: id((fx) => fx.pendingPaymentId), body: () => ({ channel: 'email', to: 'patient@alpha.example' }) },
  'POST /api/v1/payments/{id}/receipt/send': { access: 'payments:write', params: id((fx) => fx.paidPaymentId), body: () => ({ channel: 'email', to: 'patient@alpha.example' }) },
  'POST /api/v1/refunds/{id}/receipt/send': { access: 'payments:write', params: id((fx) => fx.refundId), body: () => ({ channel: 'email', to: 'patient@alpha.example' }) },
  'POST /api/v1/patients/{id}/statement/send': { access: 'payments:write', params: id((fx) => fx.patientId), body: () => ({ channel: 'email', to: 'patient@alpha.example' }) },
  'GET /api/v1/patients/{id}/messages': { access: 'payments:read', params: id((fx) => fx.patientId) },
  'POST /api/v1/webhooks/twilio/sms': { access: 'public', body: () => ({ From: '+15555550100', Body: 'HELP' }) },
  'GET /api/v1/dashboard': { access: 'payments:read' },
  'POST /api/v1/payments/{id}/refunds': { access: 'refunds:write', params: id((fx) => fx.paidPaymentId), body: () => ({ amountCents: 100, reason: 'patient_request' }) },
  'GET /api/v1/payments/{id}/refunds': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
  'POST /api/v1/payments/{id}/applications': { access: 'applications:write', params: id((fx) => fx.paidPaymentId), body: (fx) => ({ treatmentId: fx.treatmentId, amountCents: 100 }) },
  'GET /api/v1/payments/{id}/applications': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
  'DELETE /api/v1/applications/{id}': { access: 'applications:write', params: id((fx) => fx.applicationId) },
  'GET /api/v1/reports/over-applied': { access: 'payments:read' },
  'POST /api/v1/patients/{id}/credits': { access: 'credits:write', params: id((fx) => fx.patientId), body: () => ({ amountCents: 300, reference: 'r' }) },
  'GET /api/v1/patients/{id}/credits': { access: 'payments:read', params: id((fx) => fx.patientId) },
  'POST /api/v1/treatments/{id}/apply-credit': { access: 'payments:write', params: id((fx) => fx.treatmentId), body: (fx) => ({ creditId: fx.creditId, amountCents: 100 }) },
  'POST /api/v1/credits/{id}/transfer': { access: 'credits:transfer', params: id((fx) => fx.creditId), body: (fx) => ({ toPatientId: fx.otherPatientId }) },
  'GET /api/v1/tasks': { access: 'payments:read' },
  'POST /api/v1/tasks/{id}/complete': {
    access: 'tasks:write',
    params: id((fx) => fx.taskId),
    body: () => ({ refundDate: '2026-06-01', amountCents: 2000, method: 'cash', reference: 'handed over' }),
  },
  'POST /api/v1/tasks/{id}/dismiss': { access: 'tasks:write', params: id((fx) => fx.taskId) },
  'POST /api/v1/jobs/refund-review': { access: 'tasks:write', body: () => ({ asOf: '2026-06-01' }) },
  'POST /api/v1/remittances': { access: 'remittance:write', raw: (fx) => ({ raw: era835(fx.claimControlNumber || 'NONE', 100, 50, `T${Math.random()}`), contentType: 'text/plain' }) },
  'GET /api/v1/remittances': { access: 'payments:read' },
  'GET /api/v1/remittances/{id}': { access: 'payments:read', params: id((fx) => fx.remittanceId) },
  'GET /api/v1/remittance-exceptions': { access: 'remittance:write', query: () => '?status=open' },
  'GET /api/v1/remittance-exceptions/export.csv': { access: 'remittance:write' },
  'POST /api/v1/remittance-exceptions/{id}/match': { access: 'remittance:write', params: id((fx) => fx.exceptionId), body: (fx) => ({ claimId: fx.claimId }) },
  'POST /api/v1/remittance-exceptions/{id}/resolve': { access: 'remittance:write', params: id((fx) => fx.exceptionId), body: () => ({ resolution: 'not_ours', note: 'not a claim of ours' }) },
  'GET /api/v1/denials': { access: 'remittance:write' },
  'GET /api/v1/claims': { access: 'remittance:write', query: () => '?search=PL&status=submitted' },
  'GET /api/v1/denials/export.csv': { access: 'remittance:write' },
  'GET /api/v1/reports/payer-balances': { access: 'reports:ledger' },
  'POST /api/v1/payer-balance-items/{id}/offset': { access: 'remittance:write', params: id(() => 'no-such-item'), body: () => ({ againstItemId: 'no-such-item-either', note: 'netted' }) },
  'POST /api/v1/payer-balance-items/{id}/refund': { access: 'remittance:write', params: id(() => 'no-such-item'), body: () => ({ note: 'check 1' }) },
  'POST /api/v1/portal/lookup': { access: 'public', body: () => ({ dateOfBirth: '1980-04-12', accountId: 'A000000' }) },
  'POST /api/v1/portal/account': { access: 'public', body: () => ({ portalToken: 'not-a-token' }) },
  'POST /api/v1/portal/pay': { access: 'public', body: () => ({ portalToken: 'not-a-token', amountCents: 100, card: '4242424242424242' }) },
  'GET /api/v1/card-entry': { access: 'public' },
  'POST /api/v1/portal/pay/start': { access: 'public', body: () => ({ portalToken: 'not-a-token', amountCents: 100 }) },
  'POST /api/v1/portal/pay/finish': { access: 'public', body: () => ({ portalToken: 'not-a-token', paymentNumber: 'PAY-001', chargeReference: 'pi_not_ours' }) },
  'POST /api/v1/pay/{token}/start': { access: 'public', params: (fx) => ({ token: fx.linkToken }), body: () => ({}) },
  'POST /api/v1/pay/{token}/finish': { access: 'public', params: (fx) => ({ token: fx.linkToken }), body: () => ({ chargeReference: 'pi_not_ours' }) },
  'GET /api/v1/pay/{token}': { access: 'public', params: (fx) => ({ token: fx.linkToken }) },
  'POST /api/v1/pay/{token}': { access: 'public', params: (fx) => ({ token: fx.linkToken }), body: () => ({ card: '4000000000000002' }) },
  'POST /api/v1/eligibility-checks': {
    access: 'patients:write',
    body: (fx) => ({ patientId: fx.insuredPatientId, copayCents: 2500, coinsurancePercent: 20, deductibleRemainingCents: 0, oopRemainingCents: 100000, payerName: 'Acme Health', payerId: 'ACME1' }),
  },
  'GET /api/v1/patients/{id}/eligibility-checks': { access: 'payments:read', params: id((fx) => fx.insuredPatientId) },
  'GET /api/v1/estimates': { access: 'payments:read', query: (fx) => `?patientId=${fx.insuredPatientId}&treatmentId=${fx.insuredTreatmentId}` },
  'PUT /api/v1/fee-schedules/{payerId}': { access: 'remittance:write', params: (fx) => ({ payerId: fx.payerId }), body: () => [{ cpt: '99214', allowedCents: 12000 }] },
  'GET /api/v1/fee-schedules/{payerId}': { access: 'payments:read', params: (fx) => ({ payerId: fx.payerId }) },
  'GET /api/v1/patients/{id}/statement.pdf': { access: 'payments:read', params: id((fx) => fx.patientId) },
  // Left out of the document (processor-facing), but a public route that moves money: checked all the same.
  'POST /api/v1/webhooks/stripe': { access: 'public', body: () => ({ id: 'evt_1', type: 'charge.refunded', data: { object: { id: 'ch_1' } } }) },
  'GET /api/v1/practice': { access: 'staff' },
  'GET /api/v1/reports/processor-reconciliation': { access: 'reports:ledger', query: () => '?from=2026-01-01&to=2026-12-31' },
  'GET /api/v1/reports/processor-reconciliation/export.csv': { access: 'reports:ledger', query: () => '?from=2026-01-01&to=2026-12-31' },
  'GET /api/v1/processor-receipts': { access: 'reports:ledger', query: () => '?status=all' },
  'GET /api/v1/processor-receipts/export.csv': { access: 'reports:ledger', query: () => '?status=all' },
  'POST /api/v1/processor-receipts/{id}/assign': { access: 'refunds:write', params: id(() => 'no-such-receipt'), body: (fx) => ({ patientId: fx.patientId }) },
  'POST /api/v1/processor-receipts/{id}/return': { access: 'refunds:write', params: id(() => 'no-such-receipt') },
  'GET /api/v1/audit-events/export.csv': { access: 'audit:read' },
  'GET /api/v1/refunds/{id}/receipt.pdf': { access: 'payments:read', params: id((fx) => fx.refundId) },
  'PATCH /api/v1/practice': { access: 'practice:write', body: () => ({ name: 'Alpha Clinic' }) },
  'GET /api/v1/treatments': { access: 'payments:read', query: (fx) => `?patientId=${fx.patientId}` },
  'GET /api/v1/credits': { access: 'payments:read', query: (fx) => `?patientId=${fx.patientId}` },
  'GET /api/v1/reports/trial-balance': { access: 'reports:ledger', query: () => '?asOf=2026-06-01' },
  'GET /api/v1/api-tokens': { access: 'tokens:manage' },
  'POST /api/v1/api-tokens': { access: 'tokens:manage', body: () => ({ name: 'integration', role: 'front_desk', expiresInDays: 30 }) },
  'DELETE /api/v1/api-tokens/{id}': { access: 'tokens:manage', params: id((fx) => fx.apiTokenId) },
  'GET /api/v1/audit-events': { access: 'audit:read', query: (fx) => `?entityType=payment&entityId=${fx.paidPaymentId}` },
  'GET /api/v1/webhook-event-types': { access: 'webhooks:manage' },
  'POST /api/v1/webhook-endpoints': { access: 'webhooks:manage', body: () => ({ url: 'http://127.0.0.1:9/hook', events: ['payment.created'], description: 'reliability' }) },
  'GET /api/v1/webhook-endpoints': { access: 'webhooks:manage' },
  'GET /api/v1/webhook-endpoints/{id}': { access: 'webhooks:manage', params: id((fx) => fx.webhookEndpointId) },
  'PATCH /api/v1/webhook-endpoints/{id}': { access: 'webhooks:manage', params: id((fx) => fx.webhookEndpointId), body: () => ({ description: 'changed' }) },
  'DELETE /api/v1/webhook-endpoints/{id}': { access: 'webhooks:manage', params: id((fx) => fx.webhookEndpointId) },
  'POST /api/v1/webhook-endpoints/{id}/roll-secret': { access: 'webhooks:manage', params: id((fx) => fx.webhookEndpointId) },
  'GET /api/v1/webhook-endpoints/{id}/deliveries': { access: 'webhooks:manage', params: id((fx) => fx.webhookEndpointId) },
  'POST /api/v1/webhook-deliveries/{id}/replay': { access: 'webhooks:manage', params: id((fx) => fx.webhookDeliveryId) },
  'GET /api/v1/patients/export.csv': { access: 'staff' },
  'GET /api/v1/treatments/export.csv': { access: 'payments:read' },
  'GET /api/v1/credits/export.csv': { access: 'payments:read' },
  'GET /api/v1/tasks/export.csv': { access: 'payments:read' },
  'GET /api/v1/remittances/export.csv': { access: 'payments:read' },
  'GET /api/v1/reports/over-applied/export.csv': { access: 'payments:read' },
  'GET /api/v1/patients/{id}/ledger': { access: 'payments:read', params: id((fx) => fx.patientId) },
  'GET /api/v1/patients/{id}/ledger/export.csv': { access: 'payments:read', params: id((fx) => fx.patientId) },
  'GET /api/v1/reports/ar-aging': { access: 'reports:ledger', query: (fx) => `?locationId=${fx.locationId}` },
  'GET /api/v1/reports/ar-aging/export.csv': { access: 'reports:ledger' },
  'GET /api/v1/payments/{id}/receipt.pdf': { access: 'payments:read', params: id((fx) => fx.paidPaymentId) },
};

export interface DocumentedRoute {
  key: string;
  method: string;
  path: string;
  operation: any;
}

/** Routes the document hides on purpose; the suite checks them as well. */
const undocumented: DocumentedRoute[] = [
  { key: 'POST /api/v1/webhooks/stripe', method: 'POST', path: '/api/v1/webhooks/stripe', operation: {} },
  { key: 'POST /api/v1/webhooks/twilio/sms', method: 'POST', path: '/api/v1/webhooks/twilio/sms', operation: {} },
];

/** Every route to check: those of the OpenAPI document, as "METHOD /path" keys, and the hidden ones. */
export function routesToCheck(doc: any): DocumentedRoute[] {
  return [...documentedRoutes(doc), ...undocumented];
}

/** The routes of the OpenAPI document, as "METHOD /path" keys. */
export function documentedRoutes(doc: any): DocumentedRoute[] {
  const out: DocumentedRoute[] = [];
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    for (const [m, operation] of Object.entries<any>(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      out.push({ key: `${m.toUpperCase()} ${p}`, method: m.toUpperCase(), path: p, operation });
    }
  }
  return out;
}

export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '00000000-0000-7000-8000-000000000000'));
}
