import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { createEligibilityCheckBody, eligibilityCheck } from '../../../../src/contracts/eligibility.ts';
import { api } from '../../api/client';
import type { Page } from '../../api/types';

export type EligibilityCheck = z.infer<typeof eligibilityCheck>;
export type NewEligibilityCheck = z.input<typeof createEligibilityCheckBody>;
export type EligibilityCheckList = Page<EligibilityCheck>;

export const eligibilityKeys = {
  list: (patientId: string) => ['patients', 'detail', patientId, 'eligibility-checks'] as const,
};

/** The patient's eligibility checks, newest first (the server's order, kept by createdAt). */
export function useEligibilityChecks(patientId: string) {
  return useQuery({
    queryKey: eligibilityKeys.list(patientId),
    queryFn: ({ signal }) =>
      api.get<EligibilityCheckList>(`/patients/${encodeURIComponent(patientId)}/eligibility-checks`, { pageSize: 50 }, signal),
    select: (list) => ({ ...list, items: [...list.items].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)) }),
  });
}

/** A new check changes the list and any payment estimate drawn from it. */
function useChecksChanged(patientId: string) {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: eligibilityKeys.list(patientId) }),
      client.invalidateQueries({ queryKey: ['estimates', patientId] }),
    ]);
}

export function useRecordEligibilityCheck(patientId: string) {
  const changed = useChecksChanged(patientId);
  return useMutation({
    mutationFn: (body: NewEligibilityCheck) => api.post<EligibilityCheck>('/eligibility-checks', body),
    onSuccess: () => void changed(),
  });
}

export function useImport271(patientId: string) {
  const changed = useChecksChanged(patientId);
  return useMutation({
    mutationFn: (file: File) => {
      // The 271 goes as a multipart "file", through the same client (and error handling) as every upload.
      const form = new FormData();
      form.append('file', file);
      return api.upload<EligibilityCheck>('/eligibility-checks', form, { patientId });
    },
    onSuccess: () => void changed(),
  });
}

export const eligibilitySourceLabels: Record<EligibilityCheck['source'], string> = {
  manual: 'Manual',
  x12_271: '271',
};

export const eligibilityStatusLabels: Record<EligibilityCheck['status'], string> = {
  active: 'Active',
  inactive: 'Inactive',
  rejected: 'Rejected',
};

/** AAA04 follow-up action codes (X12 5010 270/271). */
export const followUpActionLabels: Record<string, string> = {
  C: 'Please correct and resubmit',
  N: 'Resubmission not allowed',
  P: 'Please resubmit original transaction',
  R: 'Resubmission allowed',
  S: 'Do not resubmit; inquiry initiated to a third party',
  W: 'Please wait 30 days and resubmit',
  X: 'Please wait 10 days and resubmit',
  Y: 'Do not resubmit; we will hand over your inquiry to the appropriate party',
};

/** Basis points → an exact percent: 2000 → "20%", 1250 → "12.5%", 3333 → "33.33%". */
export function formatBasisPoints(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / 100);
  const fraction = String(Math.abs(basisPoints % 100)).padStart(2, '0').replace(/0$/, '');
  return `${whole}${fraction && fraction !== '0' ? `.${fraction}` : ''}%`;
}
