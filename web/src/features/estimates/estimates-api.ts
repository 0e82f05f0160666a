import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { estimate } from '../../../../src/contracts/eligibility.ts';
import { api } from '../../api/client';

export type Estimate = z.infer<typeof estimate>;
export type EstimateType = Estimate['type'];

export const estimateKeys = {
  one: (patientId: string, treatmentId: string, type: EstimateType) => ['estimates', patientId, treatmentId, type] as const,
};

/** The estimate of a treatment's patient share for a payment type; off until patient and treatment are chosen. */
export function useEstimate(patientId: string | null, treatmentId: string | null, type: EstimateType | null) {
  return useQuery({
    queryKey: estimateKeys.one(patientId ?? '', treatmentId ?? '', type ?? 'treatment_prepayment'),
    queryFn: ({ signal }) => api.get<Estimate>('/estimates', { patientId, treatmentId, type }, signal),
    enabled: Boolean(patientId && treatmentId && type),
  });
}
