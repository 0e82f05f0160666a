import { z } from 'zod';
import { id } from './common.ts';

/** Practice setup (admins): locations, staff users and invites, practice settings. */

export const location = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** false once deactivated: offered for no new visit or payment, still named on old ones. */
  active: z.boolean(),
});
export type Location = z.infer<typeof location>;

export const createLocationBody = z.object({ name: z.string().trim().min(1).max(200) });
export const updateLocationBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), active: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send name or active');
export type UpdateLocationBody = z.infer<typeof updateLocationBody>;

export const practiceSettings = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  timeZone: z.string().describe('IANA time zone name: paid dates, "today" for overdue flags, dashboard months, refund review and statement dates are in it.'),
  /** Days the refund review waits after a visit's last claim is processed (the practice's own, or the server's default). */
  refundReviewDays: z.number().int(),
  /** A line printed on every patient statement; null = none. */
  statementMessage: z.string().nullable(),
  createdAt: z.string(),
});
export type PracticeSettings = z.infer<typeof practiceSettings>;

export const updatePracticeBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: z.string().min(1).max(64).optional().describe('An IANA name such as America/New_York; validated with Intl.'),
    refundReviewDays: z.number().int().min(1).max(365).optional(),
    statementMessage: z.string().trim().max(500).nullable().optional().describe('Empty or null removes the message.'),
  })
  .strict();
export type UpdatePracticeBody = z.infer<typeof updatePracticeBody>;

export const staffRole = z.enum(['admin', 'biller', 'front_desk']);

export const staffUser = z.object({
  id,
  email: z.string(),
  name: z.string(),
  role: z.string(),
  active: z.boolean(),
  /** Invited and has not set a password yet. */
  invitePending: z.boolean(),
  createdAt: z.string(),
});
export type StaffUser = z.infer<typeof staffUser>;

export const inviteUserBody = z.object({
  email: z.string().trim().toLowerCase().email('a valid email address is required').max(320),
  name: z.string().trim().min(1).max(200),
  role: staffRole,
});
export type InviteUserBody = z.infer<typeof inviteUserBody>;

export const invitedUser = z.object({
  user: staffUser,
  /** `/invite/<token>`: shown this once (only its hash is kept), valid for INVITE_DAYS. */
  inviteUrl: z.string(),
  inviteExpiresAt: z.string(),
});
export type InvitedUser = z.infer<typeof invitedUser>;

export const updateUserBody = z
  .object({ role: staffRole.optional(), active: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send role or active');
export type UpdateUserBody = z.infer<typeof updateUserBody>;

export const inviteDetails = z.object({ email: z.string(), name: z.string(), practiceName: z.string(), expiresAt: z.string() });
export type InviteDetails = z.infer<typeof inviteDetails>;

export const acceptInviteBody = z.object({ password: z.string().min(8, 'a password needs at least 8 characters').max(1000) });

/** The signed-in user and practice (what login and an accepted invite answer). */
export const sessionUser = z.object({
  user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string(), role: z.string() }),
  practice: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
});
