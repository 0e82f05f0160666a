import { Anchor, Card, Group, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { PaymentTreatment } from '../../api/types';
import { CalendarDate } from '../../ui/dates';
import { DetailList } from '../../ui/detail-list';
import { Money } from '../../ui/money';

export function TreatmentCard({ treatment }: { treatment: PaymentTreatment | null }) {
  const total = treatment?.lines.reduce((sum, line) => sum + line.chargeCents, 0) ?? 0;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="treatment-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="treatment-title">
          Treatment
        </Title>
        {treatment ? (
          <Anchor component={Link} to={`/treatments/${treatment.id}`} size="sm">
            Open treatment
          </Anchor>
        ) : null}
      </Group>
      {!treatment ? (
        <Text size="sm" c="dimmed">
          Not linked to a treatment.
        </Text>
      ) : (
        <>
          <DetailList
            items={[
              {
                label: 'Date of service',
                value: (
                  <>
                    <CalendarDate value={treatment.serviceDate} />
                    {treatment.serviceTime ? ` ${treatment.serviceTime}` : ''}
                  </>
                ),
              },
              { label: 'Physician', value: treatment.physician },
              { label: 'Location', value: treatment.locationName ?? '—' },
            ]}
          />
          <Table mt="sm" verticalSpacing={4} aria-label="Procedure lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>CPT</Table.Th>
                <Table.Th ta="right">Charge</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {treatment.lines.map((line, index) => (
                <Table.Tr key={`${line.cpt}-${index}`}>
                  <Table.Td>{line.cpt}</Table.Td>
                  <Table.Td ta="right">
                    <Money cents={line.chargeCents} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              <Table.Tr>
                <Table.Th>Total</Table.Th>
                <Table.Th ta="right">
                  <Money cents={total} />
                </Table.Th>
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </>
      )}
    </Card>
  );
}
