import { SimpleGrid, Stack, Text } from '@mantine/core';
import { Money } from '../../ui/money';
import type { AgingBuckets } from './ledger-api';

export const agingColumns: Array<{ key: keyof AgingBuckets; label: string }> = [
  { key: 'currentCents', label: 'Current (0–30)' },
  { key: 'days31To60Cents', label: '31–60 days' },
  { key: 'days61To90Cents', label: '61–90 days' },
  { key: 'days91To120Cents', label: '91–120 days' },
  { key: 'over120Cents', label: '120+ days' },
  { key: 'totalCents', label: 'Total' },
];

/** The aging buckets as labelled figures; `testId` prefixes each figure's test id. */
export function AgingFigures({ aging, label, testId }: { aging: AgingBuckets; label: string; testId: string }) {
  return (
    <SimpleGrid cols={{ base: 2, xs: 3, md: 6 }} aria-label={label} role="group">
      {agingColumns.map((column) => (
        <Stack key={column.key} gap={0}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            {column.label}
          </Text>
          <Text fw={column.key === 'totalCents' ? 700 : 500} data-testid={`${testId}-${column.key}`}>
            <Money cents={aging[column.key]} signColor />
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}
