import { Card, Table, Title } from '@mantine/core';
import type { Treatment } from '../../api/types';
import { Money } from '../../ui/money';

export function TreatmentCharges({ treatment }: { treatment: Treatment }) {
  return (
    <Card withBorder padding="md" component="section" aria-labelledby="charges-title">
      <Title order={2} size="h4" id="charges-title" mb="sm">
        Charges
      </Title>
      <Table verticalSpacing={4} aria-label="Charges">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>CPT</Table.Th>
            <Table.Th ta="right">Units</Table.Th>
            <Table.Th ta="right">Charge</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {treatment.lines.map((line, index) => (
            <Table.Tr key={`${line.cpt}-${index}`}>
              <Table.Td>{line.cpt}</Table.Td>
              <Table.Td ta="right">{line.units}</Table.Td>
              <Table.Td ta="right">
                <Money cents={line.chargeCents} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={2}>Total</Table.Th>
            <Table.Th ta="right">
              <Money cents={treatment.chargeCents} data-testid="treatment-charges-total" />
            </Table.Th>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Card>
  );
}
