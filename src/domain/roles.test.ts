import { describe, expect, it } from 'vitest';
import { describeRejectionReason } from './eligibility/rejection-reasons.ts';
import { AppError, errorStatus, notFound } from './errors.ts';
import { assertCan, can, isRole, roles } from './roles.ts';

describe('roles', () => {
  it('admin does everything; billers handle money after the visit; the front desk collects', () => {
    expect(roles).toEqual(['admin', 'biller', 'front_desk']);
    const allowed = (permission: Parameters<typeof can>[1]) => roles.filter((r) => can(r, permission));
    for (const p of ['payments:read', 'payments:write', 'patients:write', 'treatments:write'] as const) expect(allowed(p)).toEqual(['admin', 'biller', 'front_desk']);
    for (const p of ['refunds:write', 'applications:write', 'credits:write', 'remittance:write', 'tasks:write', 'reports:ledger', 'audit:read'] as const) {
      expect(allowed(p)).toEqual(['admin', 'biller']);
    }
    for (const p of ['credits:transfer', 'locations:write', 'users:write', 'practice:write', 'tokens:manage', 'webhooks:manage'] as const) expect(allowed(p)).toEqual(['admin']);
  });

  it('assertCan refuses with forbidden and names role and permission', () => {
    expect(() => assertCan('biller', 'refunds:write')).not.toThrow();
    expect(() => assertCan('front_desk', 'refunds:write')).toThrow(expect.objectContaining({ code: 'forbidden', status: 403, message: 'Your role (front_desk) may not do this (refunds:write).' }));
  });

  it('isRole knows the three roles only', () => {
    for (const r of roles) expect(isRole(r)).toBe(true);
    expect(isRole('owner')).toBe(false);
    expect(isRole('')).toBe(false);
  });
});

describe('errors', () => {
  it('an AppError carries its code, the status from the one table, the message and details', () => {
    const error = new AppError('refund_exceeds_remaining', 'too much', { remainingCents: 5 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'AppError', code: 'refund_exceeds_remaining', status: 422, message: 'too much', details: { remainingCents: 5 } });
    expect(notFound('Payment')).toMatchObject({ code: 'not_found', status: 404, message: 'Payment not found' });
    for (const status of Object.values(errorStatus)) expect(status >= 400 && status < 600).toBe(true);
  });
});

describe('271 rejection reasons', () => {
  it('in words staff can act on, with a fallback for codes we do not know', () => {
    expect(describeRejectionReason('72')).toBe('Invalid/missing subscriber/insured ID');
    expect(describeRejectionReason('75')).toBe('Subscriber/insured not found');
    expect(describeRejectionReason('ZZ')).toBe('Rejection reason ZZ');
    expect(describeRejectionReason(null)).toBe('The payer rejected the request without a reason code');
  });

  it('every AAA03 code of the 5010 271 has its own description', () => {
    const codes = ['04', '15', ...Array.from({ length: 40 }, (_, i) => String(41 + i)).filter((c) => c !== '59'), '97', '98', 'AA', 'AE', 'AF', 'AG', 'AO', 'CI', 'E8', 'IA', 'MA', 'T4'];
    const descriptions = codes.map((code) => describeRejectionReason(code));
    for (const d of descriptions) expect(d).not.toMatch(/^Rejection reason /);
    for (const d of descriptions) expect(d.length).toBeGreaterThan(10);
    expect(new Set(descriptions).size).toBe(codes.length);
  });
});
