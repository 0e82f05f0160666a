import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface PracticeSettings {
  id: string;
  slug: string;
  name: string;
  /** IANA name: the practice's calendar (paid dates, today, dashboard months). */
  timeZone: string;
  createdAt: string;
}

const practiceKey = ['practice'];

export function usePracticeSettings() {
  return useQuery({ queryKey: practiceKey, queryFn: ({ signal }) => api.get<PracticeSettings>('/practice', undefined, signal) });
}

export function useUpdatePracticeSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; timeZone?: string }) => api.patch<PracticeSettings>('/practice', body),
    onSuccess: (practice) => {
      client.setQueryData(practiceKey, practice);
      // Dates the server derives (overdue flags, dashboard months) follow the new calendar.
      void client.invalidateQueries();
    },
  });
}
