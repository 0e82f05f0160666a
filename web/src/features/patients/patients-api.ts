import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page, Patient, PatientDetail } from '../../api/types';

export function usePatients(params: { search: string; page: number; pageSize: number }, enabled = true) {
  return useQuery({
    queryKey: ['patients', 'list', params],
    queryFn: ({ signal }) =>
      api.get<Page<Patient>>(
        '/patients',
        { search: params.search.trim(), page: params.page, pageSize: params.pageSize },
        signal,
      ),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function usePatient(id: string | null) {
  return useQuery({
    queryKey: ['patients', 'detail', id],
    queryFn: ({ signal }) => api.get<PatientDetail>(`/patients/${encodeURIComponent(id ?? '')}`, undefined, signal),
    enabled: id !== null && id !== '',
  });
}

export function patientName(patient: Pick<Patient, 'firstName' | 'lastName'>): string {
  return `${patient.lastName}, ${patient.firstName}`;
}
