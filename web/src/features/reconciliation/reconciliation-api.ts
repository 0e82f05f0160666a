import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { processorReceipt, processorReconciliation } from '../../../../src/contracts/reconciliation.ts';
import { useMoneyMoved } from '../ledger/use-money-moved';

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

export type ProcessorReceipt = z.infer<typeof processorReceipt>;

/** Dashboard charges: held (the biller's queue) or resolved (ADR 0028). */
export function useProcessorReceipts(status: 'held' | 'resolved', page: number) {
  return useQuery({
    queryKey: ['processor-receipts', status, page] as const,
    queryFn: ({ signal }) => api.get<Page<ProcessorReceipt>>('/processor-receipts', { status, page, pageSize: 25 }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useAssignProcessorReceipt() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ receiptId, patientId, idempotencyKey }: { receiptId: string; patientId: string; idempotencyKey: string }) =>
      api.postMoney<ProcessorReceipt>(`/processor-receipts/${encodeURIComponent(receiptId)}/assign`, { patientId }, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}

/** Return: give what remains of a held receipt back to the card through the processor (ADR 0029). */
export function useReturnProcessorReceipt() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ receiptId, idempotencyKey }: { receiptId: string; idempotencyKey: string }) =>
      api.postMoney<ProcessorReceipt>(`/processor-receipts/${encodeURIComponent(receiptId)}/return`, undefined, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}

/** How many dashboard charges wait for a biller to assign them (the navigation's count). */
export function useHeldReceiptCount(enabled: boolean) {
  return useQuery({
    queryKey: ['processor-receipts', 'held-count'] as const,
    queryFn: async ({ signal }) => (await api.get<Page<ProcessorReceipt>>('/processor-receipts', { status: 'held', pageSize: 1 }, signal)).total,
    enabled,
  });
}
