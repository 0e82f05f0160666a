import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { message, queuedMessage, SendMessageBody } from '../../../../src/contracts/messages.ts';
import type { Patient } from '../../../../src/contracts/patients.ts';
import { api } from '../../api/client';

export type Message = z.infer<typeof message>;
export type QueuedMessage = z.infer<typeof queuedMessage>;

export const messageKeys = {
  list: (patientId: string) => ['patients', 'detail', patientId, 'messages'] as const,
};

/** The patient's outbound message log, newest first. Polls while something is still queued, so "sent" shows up by itself. */
export function usePatientMessages(patientId: string) {
  return useQuery({
    queryKey: messageKeys.list(patientId),
    queryFn: ({ signal }) => api.get<{ items: Message[] }>(`/patients/${encodeURIComponent(patientId)}/messages`, undefined, signal),
    refetchInterval: (query) => (query.state.data?.items.some((m) => m.status === 'queued' && Date.parse(m.notBefore) <= Date.now() + 60_000) ? 1000 : false),
  });
}

/** What can be sent, and where its send endpoint is. */
export type SendTarget = { kind: 'receipt' | 'link'; paymentId: string } | { kind: 'statement'; patientId: string } | { kind: 'refund_receipt'; refundId: string };

function sendPath(target: SendTarget): string {
  if (target.kind === 'statement') return `/patients/${encodeURIComponent(target.patientId)}/statement/send`;
  if (target.kind === 'refund_receipt') return `/refunds/${encodeURIComponent(target.refundId)}/receipt/send`;
  return `/payments/${encodeURIComponent(target.paymentId)}/${target.kind === 'receipt' ? 'receipt' : 'link'}/send`;
}

export function useSendMessage(target: SendTarget, patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SendMessageBody) => api.post<QueuedMessage>(sendPath(target), body),
    // A link send may have made a new link; a refused (opted-out) send is logged too.
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: messageKeys.list(patientId) }),
        target.kind === 'link' ? client.invalidateQueries({ queryKey: ['payments', 'detail', target.paymentId] }) : undefined,
      ]),
  });
}

/** The staff toggles for a patient who asked for no texts or no email. */
export function useSetOptOut(patientId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (fields: { smsOptOut?: boolean; emailOptOut?: boolean }) => api.patch<Patient>(`/patients/${encodeURIComponent(patientId)}`, fields),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['patients', 'detail', patientId] }),
  });
}
