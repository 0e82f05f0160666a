import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ChargeResult, NewRefund, Page, Refund, RefundResult } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';
import { paymentKeys } from '../payments/payments-api';

export const refundKeys = {
  list: (paymentId: string) => [...paymentKeys.detail(paymentId), 'refunds'] as const,
};

export function useRefunds(paymentId: string) {
  return useQuery({
    queryKey: refundKeys.list(paymentId),
    queryFn: ({ signal }) => api.get<Page<Refund>>(`/payments/${encodeURIComponent(paymentId)}/refunds`, undefined, signal),
  });
}

export function useRefundPayment(paymentId: string) {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: NewRefund; idempotencyKey: string }) =>
      api.postMoney<RefundResult>(`/payments/${encodeURIComponent(paymentId)}/refunds`, body, idempotencyKey),
    onSuccess: () => void moneyMoved(),
    // A processor failure leaves the payment as it was, but a failed refund is now on record.
    onError: () => void moneyMoved(),
  });
}

/** Takes a Pending or Failed payment through the card processor. */
export function useChargePayment(paymentId: string) {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ source, idempotencyKey }: { source: string; idempotencyKey: string }) =>
      api.postMoney<ChargeResult>(`/payments/${encodeURIComponent(paymentId)}/charge`, { source }, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}
