import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useEffect, useState, type FormEvent } from 'react';
import type { Treatment } from '../../api/types';
import { todayCalendarDate } from '../../ui/dates';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useLocations } from '../payments/payments-api';
import { usePracticeSettings } from '../practice/practice-api';
import { useCreateTreatment } from './treatments-api';
import { MutationError } from '../../ui/mutation-error';

interface Line {
  cpt: string;
  chargeCents: number | null;
  units: number;
}

const newLine = (): Line => ({ cpt: '', chargeCents: null, units: 1 });

/** Records a visit: where, when, who saw the patient, and its CPT lines with their charges. */
export function NewVisitDialog({ opened, onClose, patientId, onCreated }: { opened: boolean; onClose: () => void; patientId: string; onCreated: (treatment: Treatment) => void }) {
  const create = useCreateTreatment();
  const locations = useLocations();
  const timeZone = usePracticeSettings().data?.timeZone;
  const [locationId, setLocationId] = useState<string | null>(null);
  const [serviceDate, setServiceDate] = useState<string | null>(null);
  const [physician, setPhysician] = useState('');
  const [lines, setLines] = useState<Line[]>([newLine()]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const active = (locations.data?.items ?? []).filter((l) => l.active);

  useEffect(() => {
    if (!opened) return;
    create.reset();
    setErrors({});
    setServiceDate(todayCalendarDate(timeZone));
    setPhysician('');
    setLines([newLine()]);
    // Reset only when the dialog opens.
  }, [opened]);
  useEffect(() => {
    if (opened && !locationId && active.length === 1) setLocationId(active[0]!.id);
  }, [opened, locationId, active]);

  const total = lines.reduce((sum, l) => sum + (l.chargeCents ?? 0) * l.units, 0);
  const setLine = (index: number, change: Partial<Line>) => setLines((all) => all.map((l, i) => (i === index ? { ...l, ...change } : l)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!locationId) found.location = 'Choose the location';
    if (!serviceDate) found.serviceDate = 'Enter the date of service';
    if (!physician.trim()) found.physician = 'Enter the physician';
    lines.forEach((l, i) => {
      if (!/^[A-Z0-9]{5}$/.test(l.cpt.trim().toUpperCase())) found[`cpt${i}`] = '5 letters or digits';
      if (!l.chargeCents || l.chargeCents <= 0) found[`charge${i}`] = 'Enter the charge';
    });
    setErrors(found);
    if (Object.keys(found).length > 0 || !locationId || !serviceDate) return;
    create.mutate(
      {
        patientId,
        locationId,
        serviceDate,
        physician: physician.trim(),
        lines: lines.map((l) => ({ cpt: l.cpt.trim().toUpperCase(), chargeCents: l.chargeCents!, ...(l.units !== 1 ? { units: l.units } : {}) })),
      },
      { onSuccess: onCreated },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New visit" size="lg" centered>
      <form onSubmit={submit} noValidate aria-label="New visit">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select
              label="Location"
              placeholder="Where"
              data={active.map((l) => ({ value: l.id, label: l.name }))}
              value={locationId}
              onChange={setLocationId}
              error={errors.location}
              required
              allowDeselect={false}
            />
            <DateInput label="Date of service" placeholder="YYYY-MM-DD" valueFormat="YYYY-MM-DD" value={serviceDate} onChange={setServiceDate} error={errors.serviceDate} required />
            <TextInput label="Physician" value={physician} onChange={(e) => setPhysician(e.currentTarget.value)} error={errors.physician} required maxLength={200} />
          </SimpleGrid>
          <Table verticalSpacing={4} aria-label="Visit lines">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>CPT</Table.Th>
                <Table.Th>Charge</Table.Th>
                <Table.Th>Units</Table.Th>
                <Table.Th aria-label="Remove" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((line, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    <TextInput aria-label={`CPT code, line ${i + 1}`} value={line.cpt} maxLength={5} onChange={(e) => setLine(i, { cpt: e.currentTarget.value })} error={errors[`cpt${i}`]} w={110} />
                  </Table.Td>
                  <Table.Td>
                    <DollarsInput aria-label={`Charge, line ${i + 1}`} cents={line.chargeCents} onChange={(cents) => setLine(i, { chargeCents: cents })} error={errors[`charge${i}`]} w={140} />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput aria-label={`Units, line ${i + 1}`} min={1} max={999} allowDecimal={false} value={line.units} onChange={(v) => setLine(i, { units: typeof v === 'number' && v >= 1 ? v : 1 })} w={80} />
                  </Table.Td>
                  <Table.Td>
                    {lines.length > 1 ? (
                      <Button size="compact-xs" variant="subtle" color="red" onClick={() => setLines((all) => all.filter((_, j) => j !== i))} aria-label={`Remove line ${i + 1}`}>
                        Remove
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Button size="xs" variant="light" disabled={lines.length >= 50} onClick={() => setLines((all) => [...all, newLine()])}>
              Add line
            </Button>
            <Text size="sm" fw={600} data-testid="visit-total">
              Total charges {formatCents(total)}
            </Text>
          </Group>
          <MutationError error={create.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Record visit
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
