import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Location, PracticeSettings, UpdateLocationBody, UpdatePracticeBody } from '../../../../src/contracts/practice-setup.ts';
import { api } from '../../api/client';

export type { PracticeSettings };

const practiceKey = ['practice'];
// The same key as useLocations (payments-api): a change here refreshes every picker.
const locationsKey = ['locations'];

export function usePracticeSettings() {
  return useQuery({ queryKey: practiceKey, queryFn: ({ signal }) => api.get<PracticeSettings>('/practice', undefined, signal) });
}

export function useUpdatePracticeSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdatePracticeBody) => api.patch<PracticeSettings>('/practice', body),
    onSuccess: (practice) => {
      client.setQueryData(practiceKey, practice);
      // Dates the server derives (overdue flags, dashboard months) follow the new calendar.
      void client.invalidateQueries();
    },
  });
}

export function useCreateLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.post<Location>('/locations', { name }),
    onSuccess: () => void client.invalidateQueries({ queryKey: locationsKey }),
  });
}

export function useUpdateLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UpdateLocationBody & { id: string }) => api.patch<Location>(`/locations/${encodeURIComponent(id)}`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: locationsKey }),
  });
}
