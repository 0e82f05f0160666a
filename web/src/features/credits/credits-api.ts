import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AppliedCredit, Credit, CreditList, NewCredit } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';

export const creditKeys = {
  list: (patientId: string) => ['patients', 'detail', patientId, 'credits'] as const,
};

export function useCredits(patientId: string) {
  return useQuery({
    queryKey: creditKeys.list(patientId),
    queryFn: ({ signal }) => api.get<CreditList>(`/patients/${encodeURIComponent(patientId)}/credits`, undefined, signal),
  });
}

export function useCreateCredit(patientId: string) {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: NewCredit; idempotencyKey: string }) =>
      api.postMoney<Credit>(`/patients/${encodeURIComponent(patientId)}/credits`, body, idempotencyKey),
    onSuccess: () => void moneyMoved(),
  });
}

export function useApplyCredit() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({
      treatmentId,
      body,
      idempotencyKey,
    }: {
      treatmentId: string;
      body: { creditId: string; amountCents: number };
      idempotencyKey: string;
    }) => api.postMoney<AppliedCredit>(`/treatments/${encodeURIComponent(treatmentId)}/apply-credit`, body, idempotencyKey),
    onSuccess: () => void moneyMoved(),
  });
}

export function useTransferCredit() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ creditId, toPatientId, idempotencyKey }: { creditId: string; toPatientId: string; idempotencyKey: string }) =>
      api.postMoney<Credit>(`/credits/${encodeURIComponent(creditId)}/transfer`, { toPatientId }, idempotencyKey),
    onSuccess: () => void moneyMoved(),
  });
}

export const creditSourceLabels: Record<Credit['source'], string> = {
  refund: 'Refund as credit',
  manual: 'New credit',
  task_dismissal: 'Kept from refund review',
  transfer: 'Transferred in',
};
