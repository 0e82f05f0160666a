import type { ChangeStatusBody } from '../../../../src/contracts/payments.ts';
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl } from '../../api/client';
import type {
  Location,
  NewPayment,
  Note,
  Page,
  Payment,
  PaymentChanges,
  PaymentDetail,
  PaymentDocument,
  PaymentLink,
  PaymentMethod,
  PaymentStatus,
} from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';
import { toApiQuery, type PaymentListParams } from './list-params';

export const paymentKeys = {
  all: ['payments'] as const,
  list: (params: PaymentListParams) => ['payments', 'list', params] as const,
  detail: (id: string) => ['payments', 'detail', id] as const,
  notes: (id: string) => ['payments', 'detail', id, 'notes'] as const,
  documents: (id: string) => ['payments', 'detail', id, 'documents'] as const,
};

/** A page of the payments list: with the keyset cursor of the page after it (null on the last). */
export type PaymentPage = Page<Payment> & { nextCursor: string | null };

/**
 * One page of the list; the router asks for it while the page's code loads (app.tsx), the page reads it.
 * When the page before it is in the cache (Next, or Previous back over pages already seen), the page is
 * asked for by that page's `nextCursor`: one index range on the server however deep, where a page number
 * makes it skip every row before (ADR 0040). A jump to a page number not reached that way asks by number.
 */
export function paymentsListQuery(params: PaymentListParams) {
  return queryOptions({
    queryKey: paymentKeys.list(params),
    queryFn: ({ signal, client }) => {
      const before = params.page > 1 ? client.getQueryData<PaymentPage>(paymentKeys.list({ ...params, page: params.page - 1 })) : undefined;
      const cursor = before?.nextCursor;
      return api.get<PaymentPage>('/payments', { ...toApiQuery(params), ...(cursor ? { cursor } : {}) }, signal);
    },
  });
}

export function usePayments(params: PaymentListParams) {
  return useQuery({ ...paymentsListQuery(params), placeholderData: keepPreviousData });
}

export function paymentsExportUrl(params: PaymentListParams): string {
  return apiUrl('/payments/export.csv', toApiQuery(params, false));
}

export function usePayment(id: string) {
  return useQuery({
    queryKey: paymentKeys.detail(id),
    queryFn: ({ signal }) => api.get<PaymentDetail>(`/payments/${encodeURIComponent(id)}`, undefined, signal),
  });
}

/** After money moved: every list, the dashboard, balances and billing views may have changed. */
function useRefreshAfterMoneyMoved() {
  const queryClient = useQueryClient();
  const moneyMoved = useMoneyMoved();
  return (payment?: Payment) => {
    if (payment) {
      // Keep the detail's treatment and patient while the fresh copy loads.
      queryClient.setQueryData<PaymentDetail>(paymentKeys.detail(payment.id), (old) =>
        old ? { ...old, ...payment } : undefined,
      );
    }
    // Marking a payment paid can apply it (a self-pay visit): its applications, the visit and the work lists change too.
    void moneyMoved();
  };
}

export function useCreatePayment() {
  const refresh = useRefreshAfterMoneyMoved();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: NewPayment; idempotencyKey: string }) =>
      api.postMoney<Payment>('/payments', body, idempotencyKey),
    onSuccess: (payment) => refresh(payment),
  });
}

export function useUpdatePayment(id: string) {
  const refresh = useRefreshAfterMoneyMoved();
  return useMutation({
    mutationFn: (changes: PaymentChanges) => api.patch<Payment>(`/payments/${encodeURIComponent(id)}`, changes),
    onSuccess: (payment) => refresh(payment),
  });
}

export function useChangeStatus(id: string) {
  const refresh = useRefreshAfterMoneyMoved();
  return useMutation({
    mutationFn: (change: ChangeStatusBody) => api.postMoney<Payment>(`/payments/${encodeURIComponent(id)}/status`, change),
    onSuccess: (payment) => refresh(payment),
  });
}

export function useCreateLink(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (expiresInDays: number) =>
      api.post<PaymentLink>(`/payments/${encodeURIComponent(id)}/link`, { expiresInDays }),
    onSuccess: (link) => {
      queryClient.setQueryData<PaymentDetail>(paymentKeys.detail(id), (old) => (old ? { ...old, link } : old));
      void queryClient.invalidateQueries({ queryKey: paymentKeys.detail(id), exact: true });
    },
  });
}

export function useNotes(id: string) {
  return useQuery({
    queryKey: paymentKeys.notes(id),
    queryFn: ({ signal }) =>
      api.get<{ items: Note[] }>(`/payments/${encodeURIComponent(id)}/notes`, undefined, signal),
  });
}

export function useAddNote(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => api.post<Note>(`/payments/${encodeURIComponent(id)}/notes`, { text }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: paymentKeys.notes(id) }),
  });
}

export function useDocuments(id: string) {
  return useQuery({
    queryKey: paymentKeys.documents(id),
    queryFn: ({ signal }) =>
      api.get<{ items: PaymentDocument[] }>(`/payments/${encodeURIComponent(id)}/documents`, undefined, signal),
  });
}

export function useUploadDocument(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file, file.name);
      return api.upload<PaymentDocument>(`/payments/${encodeURIComponent(id)}/documents`, form);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: paymentKeys.documents(id) }),
  });
}

export function useLocations() {
  return useQuery({
    queryKey: ['locations'],
    queryFn: ({ signal }) => api.get<Page<Location>>('/locations', undefined, signal),
    staleTime: 10 * 60_000,
  });
}
