import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CreateTreatmentBody } from '../../../../src/contracts/treatments.ts';
import type { Claim, Treatment } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';

export const treatmentKeys = {
  detail: (id: string) => ['treatments', 'detail', id] as const,
};

export function useTreatment(id: string) {
  return useQuery({
    queryKey: treatmentKeys.detail(id),
    queryFn: ({ signal }) => api.get<Treatment>(`/treatments/${encodeURIComponent(id)}`, undefined, signal),
    enabled: id !== '',
  });
}

/** Bills the next payer of the case: the claim, with the control number its 835 carries back. */
export function useBillNextPayer(treatmentId: string) {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: () => api.post<Claim>(`/treatments/${encodeURIComponent(treatmentId)}/claims`),
    onSuccess: () => void moneyMoved(),
  });
}

/** Records a visit with its CPT lines: its charges become what the case owes. */
export function useCreateTreatment() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: (body: CreateTreatmentBody) => api.post<Treatment>('/treatments', body),
    onSuccess: () => void moneyMoved(),
  });
}
