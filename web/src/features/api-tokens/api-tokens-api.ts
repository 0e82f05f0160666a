import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { apiToken, createApiTokenBody, createdApiToken } from '../../../../src/contracts/security.ts';

export type ApiToken = z.infer<typeof apiToken>;
export type CreateApiTokenBody = z.infer<typeof createApiTokenBody>;
export type CreatedApiToken = z.infer<typeof createdApiToken>;

const tokensKey = ['api-tokens'] as const;

export function useApiTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: ({ signal }) => api.get<{ items: ApiToken[] }>('/api-tokens', undefined, signal),
  });
}

export function useCreateApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenBody) => api.post<CreatedApiToken>('/api-tokens', body),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeApiToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<ApiToken>(`/api-tokens/${encodeURIComponent(id)}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}
