import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Page, RemittanceImport, RemittanceSummary } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';

export const remittanceKeys = {
  list: (page: number, pageSize: number) => ['remittances', 'list', { page, pageSize }] as const,
  detail: (id: string) => ['remittances', 'detail', id] as const,
};

function fileForm(file: File): FormData {
  const form = new FormData();
  form.append('file', file, file.name);
  return form;
}

/** What the 835 would post, without posting anything. */
export function usePreviewRemittance() {
  return useMutation({
    mutationFn: (file: File) => api.upload<RemittanceImport>('/remittances', fileForm(file), { preview: 'true' }),
  });
}

/** Imports the 835 for real; the same file twice posts nothing the second time. */
export function useImportRemittance() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: (file: File) => api.upload<RemittanceImport>('/remittances', fileForm(file)),
    onSuccess: () => void moneyMoved(),
  });
}

export function useRemittances(page: number, pageSize: number) {
  return useQuery({
    queryKey: remittanceKeys.list(page, pageSize),
    queryFn: ({ signal }) => api.get<Page<RemittanceSummary>>('/remittances', { page, pageSize }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useRemittance(id: string) {
  return useQuery({
    queryKey: remittanceKeys.detail(id),
    queryFn: ({ signal }) => api.get<RemittanceImport>(`/remittances/${encodeURIComponent(id)}`, undefined, signal),
  });
}
