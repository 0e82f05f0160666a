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


/** The staff charge, either way (ADR 0027): a test card number with the sandbox, Stripe's element with Stripe. */
export function useCardCharge(paymentId: string) {
  const moneyMoved = useMoneyMoved();
  const path = `/payments/${encodeURIComponent(paymentId)}/charge`;
  const settled = async <T,>(work: Promise<T>) => {
    try {
      return await work;
    } finally {
      void moneyMoved();
    }
  };
  return {
    withNumber: (source: string, idempotencyKey: string) => settled(api.postMoney<ChargeResult>(path, { source }, idempotencyKey)),
    // No refetch after start: the payment is Processing then, and a refetch would unmount the card form (and Stripe's
    // element) while the browser is still confirming the charge; the page refreshes after finish.
    start: (idempotencyKey: string) => api.postMoney<ChargeResult & { chargeReference: string | null; clientSecret: string | null }>(`${path}/start`, {}, idempotencyKey),
    finish: (chargeReference: string) => settled(api.post<ChargeResult>(`${path}/finish`, { chargeReference })),
  };
}
