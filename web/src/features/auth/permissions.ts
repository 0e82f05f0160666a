import { can as roleCan, isRole, type Permission, type Role } from '../../../../src/contracts/rules.ts';

/**
 * Whether the signed-in role may do something: the server's own permission
 * table, used only to hide what a role could not use. The API enforces it.
 */
export function can(role: string | undefined, permission: Permission): boolean {
  return role !== undefined && isRole(role) && roleCan(role, permission);
}

export const roleLabels: Record<Role, string> = {
  admin: 'Admin',
  biller: 'Biller',
  front_desk: 'Front desk',
};

export function roleLabel(role: string): string {
  return isRole(role) ? roleLabels[role] : role;
}
