import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Coverage, CreatePatientBody, Patient, UpdatePatientBody } from '../../../../src/contracts/patients.ts';
import { api } from '../../api/client';

/** Registers a patient (id null) or changes one. */
export function useSavePatient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, fields }: { id: string | null; fields: CreatePatientBody | UpdatePatientBody }) =>
      id ? api.patch<Patient>(`/patients/${encodeURIComponent(id)}`, fields) : api.post<Patient>('/patients', fields),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['patients'] }),
  });
}

/** Replaces the patient's coverages: primary, secondary, tertiary. */
export function useSetCoverages() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ patientId, coverages }: { patientId: string; coverages: Coverage[] }) =>
      api.put<Coverage[]>(`/patients/${encodeURIComponent(patientId)}/coverages`, coverages),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['patients'] }),
  });
}
