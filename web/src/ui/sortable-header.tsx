import { Group, Table, Text, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';

export type SortDirection = 'asc' | 'desc';

export interface SortableHeaderProps {
  children: ReactNode;
  /** The direction this column is sorted in, or null when another column is. */
  direction: SortDirection | null;
  onSort: () => void;
  align?: 'left' | 'right';
}

/** A table header cell that sorts by its column; a real button, so it is keyboard reachable. */
export function SortableHeader({ children, direction, onSort, align = 'left' }: SortableHeaderProps) {
  const ariaSort = direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none';
  const arrow = direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : '↕';
  return (
    <Table.Th aria-sort={ariaSort} style={{ textAlign: align, whiteSpace: 'nowrap' }}>
      <UnstyledButton onClick={onSort} style={{ font: 'inherit', fontWeight: 'inherit' }}>
        <Group gap={4} wrap="nowrap" justify={align === 'right' ? 'flex-end' : 'flex-start'}>
          <span>{children}</span>
          <Text component="span" size="xs" c={direction ? undefined : 'dimmed'} aria-hidden>
            {arrow}
          </Text>
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}
