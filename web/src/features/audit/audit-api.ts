import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { auditEvent } from '../../../../src/contracts/security.ts';

export type AuditEvent = z.infer<typeof auditEvent>;

export type AuditPage = Page<AuditEvent>;

/** Every audit trail query starts with this: any successful change refreshes them all (see app.tsx). */
export const auditKey = ['audit-events'] as const;

export function useAuditEvents(entityType: string, entityId: string, page: number, pageSize = 10) {
  return useQuery({
    queryKey: [...auditKey, entityType, entityId, page, pageSize],
    queryFn: ({ signal }) => api.get<AuditPage>('/audit-events', { entityType, entityId, page, pageSize }, signal),
    placeholderData: keepPreviousData,
  });
}
