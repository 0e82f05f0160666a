import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { RemittanceResult } from '../features/remittances/remittance-result';
import { useRemittance } from '../features/remittances/remittances-api';
import { LoadingState, QueryError } from '../ui/states';

export function RemittanceDetailPage() {
  const { id = '' } = useParams();
  const remittance = useRemittance(id);
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/remittances" size="sm">
        ← Remittance
      </Anchor>
      {remittance.isPending ? (
        <LoadingState label="Loading the import…" />
      ) : remittance.isError ? (
        <QueryError query={remittance} />
      ) : (
        <>
          <Stack gap={2}>
            <Title order={1} size="h2">
              Remittance import
            </Title>
            <Text c="dimmed" size="sm">
              {remittance.data.fileName ?? 'Uploaded file'}
            </Text>
          </Stack>
          <RemittanceResult result={remittance.data} />
        </>
      )}
    </Stack>
  );
}
