import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Dashboard } from '../../api/types';

export function useDashboard(locationId: string | null) {
  return useQuery({
    queryKey: ['dashboard', locationId],
    queryFn: ({ signal }) => api.get<Dashboard>('/dashboard', { locationId }, signal),
  });
}
