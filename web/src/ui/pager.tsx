import { Group, Pagination, Text } from '@mantine/core';
import { pageRangeText } from './paging';

export interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  onChange: (page: number) => void;
  /** What the range reads when there is nothing ("None"). */
  empty?: string;
  mt?: string;
}

/**
 * The one pager under every list: "26–50 of 57" and the page buttons. A page past the end
 * (a stale `?page=99`) shows as the last page, as the API answers it; the arrows have names.
 */
export function Pager({ page, pageSize, total, onChange, empty, mt }: PagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" wrap="wrap" mt={mt}>
      <Text size="sm" c="dimmed" aria-live="polite">
        {pageRangeText(page, pageSize, total, empty)}
      </Text>
      {pages > 1 ? (
        <Pagination
          total={pages}
          value={Math.min(Math.max(1, page), pages)}
          onChange={onChange}
          size="sm"
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      ) : null}
    </Group>
  );
}
