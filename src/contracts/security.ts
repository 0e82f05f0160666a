import { z } from 'zod';
import { id, pageQuery } from './common.ts';

/** API tokens as admins see them: never the token, except once in the answer that creates it. */
export const apiToken = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  state: z.enum(['active', 'expired', 'revoked']),
});

export const createApiTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(['admin', 'biller', 'front_desk']),
  /** Omitted: valid until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const createdApiToken = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  /** Shown this once; only its hash is kept. */
  token: z.string(),
});

export const auditEventsQuery = pageQuery.extend({
  entityType: z.string().min(1).max(64).optional(),
  entityId: id.optional(),
});

export const auditEvent = z.object({
  id: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  actor: z.object({ type: z.string(), id: z.string(), name: z.string() }),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: z.string(),
});
export type AuditEvent = z.infer<typeof auditEvent>;
