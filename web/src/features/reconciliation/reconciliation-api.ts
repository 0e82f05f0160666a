import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { processorReconciliation } from '../../../../src/contracts/reconciliation.ts';

export type ProcessorReconciliation = z.infer<typeof processorReconciliation>;
export type ProcessorPayout = ProcessorReconciliation['payouts'][number];

export function useProcessorReconciliation(range: { from: string; to: string }, enabled: boolean) {
  return useQuery({
    queryKey: ['reports', 'processor-reconciliation', range] as const,
    queryFn: ({ signal }) => api.get<ProcessorReconciliation>('/reports/processor-reconciliation', range, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}
