import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Application, Page, Payment } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';
import { paymentKeys } from '../payments/payments-api';

export const applicationKeys = {
  list: (paymentId: string) => [...paymentKeys.detail(paymentId), 'applications'] as const,
  overApplied: (page: number, pageSize: number) => ['reports', 'over-applied', { page, pageSize }] as const,
};

export function useApplications(paymentId: string, enabled = true) {
  return useQuery({
    queryKey: applicationKeys.list(paymentId),
    queryFn: ({ signal }) =>
      api.get<Page<Application>>(`/payments/${encodeURIComponent(paymentId)}/applications`, undefined, signal),
    enabled,
  });
}

export function useApplyPayment(paymentId: string) {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: { treatmentId: string; amountCents: number }; idempotencyKey: string }) =>
      api.postMoney<Application>(`/payments/${encodeURIComponent(paymentId)}/applications`, body, idempotencyKey),
    onSuccess: () => void moneyMoved(),
  });
}

export function useUnapply() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: (applicationId: string) => api.delete<Application>(`/applications/${encodeURIComponent(applicationId)}`),
    onSuccess: () => void moneyMoved(),
  });
}

/** Payments applied beyond what is left of them after refunds (server-paged). */
export function useOverApplied(page: number, pageSize: number) {
  return useQuery({
    queryKey: applicationKeys.overApplied(page, pageSize),
    queryFn: ({ signal }) => api.get<Page<Payment>>('/reports/over-applied', { page, pageSize }, signal),
    placeholderData: keepPreviousData,
  });
}
