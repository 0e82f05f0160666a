import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  ClaimSummary,
  Denial,
  payerBalances,
  RemittanceException,
  resolveExceptionBody,
} from '../../../../src/contracts/remittance-work.ts';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';

export type { ClaimSummary, Denial, RemittanceException };
export type PayerBalances = z.infer<typeof payerBalances>;
export type ResolveException = z.infer<typeof resolveExceptionBody>;
export type ExceptionStatus = 'open' | 'resolved';

/** Every key starts with "remittance-work" so one invalidation refreshes the lists and the navigation counts. */
export const remittanceWorkKeys = {
  exceptions: (params: { status: ExceptionStatus; page: number; pageSize: number }) => ['remittance-work', 'exceptions', params] as const,
  denials: (params: { page: number; pageSize: number; search: string }) => ['remittance-work', 'denials', params] as const,
  payerBalances: ['remittance-work', 'payer-balances'] as const,
  claims: (search: string) => ['remittance-work', 'claims', search] as const,
  counts: ['remittance-work', 'counts'] as const,
};

export function useExceptions(params: { status: ExceptionStatus; page: number; pageSize: number }) {
  return useQuery({
    queryKey: remittanceWorkKeys.exceptions(params),
    queryFn: ({ signal }) => api.get<Page<RemittanceException>>('/remittance-exceptions', params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useDenials(params: { page: number; pageSize: number; search: string }) {
  return useQuery({
    queryKey: remittanceWorkKeys.denials(params),
    queryFn: ({ signal }) => api.get<Page<Denial>>('/denials', params, signal),
    placeholderData: keepPreviousData,
  });
}

export function usePayerBalances() {
  return useQuery({
    queryKey: remittanceWorkKeys.payerBalances,
    queryFn: ({ signal }) => api.get<PayerBalances>('/reports/payer-balances', undefined, signal),
  });
}

/** Claims waiting for a payment, by control number or patient name. */
export function useClaimSearch(search: string) {
  return useQuery({
    queryKey: remittanceWorkKeys.claims(search),
    queryFn: ({ signal }) => api.get<Page<ClaimSummary>>('/claims', { search, status: 'submitted', pageSize: 10 }, signal),
    enabled: search.trim().length >= 2,
    placeholderData: keepPreviousData,
  });
}

/** Open exceptions and denials, for the navigation. */
export function useRemittanceWorkCounts(enabled: boolean) {
  return useQuery({
    queryKey: remittanceWorkKeys.counts,
    queryFn: async ({ signal }) => {
      const [exceptions, denials] = await Promise.all([
        api.get<Page<RemittanceException>>('/remittance-exceptions', { status: 'open', pageSize: 1 }, signal),
        api.get<Page<Denial>>('/denials', { pageSize: 1 }, signal),
      ]);
      return { exceptions: exceptions.total, denials: denials.total };
    },
    enabled,
  });
}

export function useMatchException() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ exceptionId, claimId, idempotencyKey }: { exceptionId: string; claimId: string; idempotencyKey: string }) =>
      api.postMoney<RemittanceException>(`/remittance-exceptions/${encodeURIComponent(exceptionId)}/match`, { claimId }, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}

export function useResolveException() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ exceptionId, body, idempotencyKey }: { exceptionId: string; body: ResolveException; idempotencyKey: string }) =>
      api.postMoney<RemittanceException>(`/remittance-exceptions/${encodeURIComponent(exceptionId)}/resolve`, body, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}

export function useRefundPayerBalance() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ itemId, note, idempotencyKey }: { itemId: string; note: string; idempotencyKey: string }) =>
      api.postMoney<unknown>(`/payer-balance-items/${encodeURIComponent(itemId)}/refund`, { note }, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}

export function useOffsetPayerBalances() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ itemId, againstItemId, note, idempotencyKey }: { itemId: string; againstItemId: string; note: string; idempotencyKey: string }) =>
      api.postMoney<unknown>(`/payer-balance-items/${encodeURIComponent(itemId)}/offset`, { againstItemId, note }, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}
