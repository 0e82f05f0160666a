import type { TaskRefundMethod, TaskStatus } from '../../api/types';

export const taskRefundMethodLabels: Record<TaskRefundMethod, string> = {
  cash: 'Cash',
  check: 'Check',
  card: 'Card',
  original: 'Original method',
};

export const taskStatusLabels: Record<TaskStatus, string> = {
  open: 'Open',
  completed: 'Completed',
  dismissed: 'Dismissed',
};
