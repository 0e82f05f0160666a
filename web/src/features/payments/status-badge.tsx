import { Badge } from '@mantine/core';
import type { PaymentStatus } from '../../api/types';
import { statusColors, statusLabel } from './labels';

export function StatusBadge({ status, size = 'sm' }: { status: PaymentStatus | string; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge
      size={size}
      variant="light"
      color={statusColors[status as PaymentStatus] ?? 'gray'}
      data-testid="payment-status"
      style={{ whiteSpace: 'nowrap', minWidth: 'max-content' }}
    >
      {statusLabel(status)}
    </Badge>
  );
}

export function OverdueBadge() {
  return (
    <Badge size="xs" color="red" variant="filled">
      Overdue
    </Badge>
  );
}
