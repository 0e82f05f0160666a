import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type {
  CreateWebhookEndpointBody,
  UpdateWebhookEndpointBody,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../../../../src/contracts/webhooks.ts';

export type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret };

const keys = {
  all: ['webhooks'] as const,
  endpoints: ['webhooks', 'endpoints'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  deliveries: (endpointId: string, page: number) => ['webhooks', 'deliveries', endpointId, page] as const,
};

export function useWebhookEndpoints() {
  return useQuery({ queryKey: keys.endpoints, queryFn: ({ signal }) => api.get<Page<WebhookEndpoint>>('/webhook-endpoints', undefined, signal) });
}

export function useWebhookEventTypes() {
  return useQuery({
    queryKey: keys.eventTypes,
    queryFn: ({ signal }) => api.get<Page<{ type: string; summary: string }>>('/webhook-event-types', undefined, signal),
    staleTime: Infinity,
  });
}

/** The log refreshes every few seconds while open: retries land on their own. */
export function useWebhookDeliveries(endpointId: string | null, page: number, pageSize: number) {
  return useQuery({
    queryKey: keys.deliveries(endpointId ?? '', page),
    queryFn: ({ signal }) => api.get<Page<WebhookDelivery>>(`/webhook-endpoints/${encodeURIComponent(endpointId!)}/deliveries`, { page, pageSize }, signal),
    enabled: endpointId !== null,
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
}

function useRefresh() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: keys.all });
}

export function useCreateWebhookEndpoint() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: CreateWebhookEndpointBody) => api.post<WebhookEndpointWithSecret>('/webhook-endpoints', body),
    onSuccess: () => void refresh(),
  });
}

export function useUpdateWebhookEndpoint() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateWebhookEndpointBody }) => api.patch<WebhookEndpoint>(`/webhook-endpoints/${encodeURIComponent(id)}`, body),
    onSuccess: () => void refresh(),
  });
}

export function useDeleteWebhookEndpoint() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/webhook-endpoints/${encodeURIComponent(id)}`),
    onSuccess: () => void refresh(),
  });
}

export function useRollWebhookSecret() {
  return useMutation({
    mutationFn: (id: string) => api.post<WebhookEndpointWithSecret>(`/webhook-endpoints/${encodeURIComponent(id)}/roll-secret`),
  });
}

export function useReplayWebhookDelivery() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string) => api.post<WebhookDelivery>(`/webhook-deliveries/${encodeURIComponent(id)}/replay`),
    onSettled: () => void refresh(),
  });
}
