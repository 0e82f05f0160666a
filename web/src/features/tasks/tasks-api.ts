import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { CompleteTask, Page, Task, TaskStatus } from '../../api/types';
import { useMoneyMoved } from '../ledger/use-money-moved';

export const taskKeys = {
  list: (params: { status: TaskStatus; page: number; pageSize: number }) => ['tasks', 'list', params] as const,
};

/** Refund-owed tasks in one status, server-paged. */
export function useTasks(params: { status: TaskStatus; page: number; pageSize: number }) {
  return useQuery({
    queryKey: taskKeys.list(params),
    queryFn: ({ signal }) => api.get<Page<Task>>('/tasks', { type: 'refund_owed', ...params }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCompleteTask() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ taskId, body, idempotencyKey }: { taskId: string; body: CompleteTask; idempotencyKey: string }) =>
      api.postMoney<Task>(`/tasks/${encodeURIComponent(taskId)}/complete`, body, idempotencyKey),
    // A failure part-way reopens the task with some money refunded: refresh either way.
    onSettled: () => void moneyMoved(),
  });
}

export function useDismissTask() {
  const moneyMoved = useMoneyMoved();
  return useMutation({
    mutationFn: ({ taskId, idempotencyKey }: { taskId: string; idempotencyKey: string }) =>
      api.postMoney<Task>(`/tasks/${encodeURIComponent(taskId)}/dismiss`, undefined, idempotencyKey),
    onSettled: () => void moneyMoved(),
  });
}
