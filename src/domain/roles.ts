import { AppError } from './errors.ts';

export const roles = ['admin', 'biller', 'front_desk'] as const;
export type Role = (typeof roles)[number];

/**
 * What each role may do. Admin does everything; billers handle money after
 * the visit (refunds, credits, remittance); the front desk collects.
 */
const permissions = {
  'payments:read': ['admin', 'biller', 'front_desk'],
  'payments:write': ['admin', 'biller', 'front_desk'],
  'patients:write': ['admin', 'biller', 'front_desk'],
  'treatments:write': ['admin', 'biller', 'front_desk'],
  'refunds:write': ['admin', 'biller'],
  'applications:write': ['admin', 'biller'],
  'credits:write': ['admin', 'biller'],
  'credits:transfer': ['admin'],
  'remittance:write': ['admin', 'biller'],
  'tasks:write': ['admin', 'biller'],
  'reports:ledger': ['admin', 'biller'],
  'locations:write': ['admin'],
  'users:write': ['admin'],
  'practice:write': ['admin'],
  'tokens:manage': ['admin'],
  'audit:read': ['admin', 'biller'],
  'webhooks:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

export function assertCan(role: Role, permission: Permission): void {
  if (!can(role, permission)) {
    throw new AppError('forbidden', `Your role (${role}) may not do this (${permission}).`);
  }
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}
