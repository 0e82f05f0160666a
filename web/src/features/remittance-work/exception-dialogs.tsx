import { Button, Group, Modal, Radio, Select, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { CalendarDate } from '../../ui/dates';
import { formatCents, Money } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { type RemittanceException, type ResolveException, useClaimSearch, useMatchException, useResolveException } from './remittance-work-api';
import { MutationError } from '../../ui/mutation-error';

/** Match: find the claim the payer meant (control number or patient), then post the payment to it from suspense. */
export function MatchExceptionDialog({ exception, onClose }: { exception: RemittanceException | null; onClose: () => void }) {
  return (
    <Modal opened={exception !== null} onClose={onClose} title="Match to a claim" size="lg" centered>
      {exception ? <MatchForm exception={exception} onDone={onClose} /> : null}
    </Modal>
  );
}

function MatchForm({ exception, onDone }: { exception: RemittanceException; onDone: () => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [claimId, setClaimId] = useState<string | null>(null);
  const claims = useClaimSearch(debounced);
  const match = useMatchException();
  const idempotency = useIdempotencyKey();
  const chosen = claims.data?.items.find((c) => c.id === claimId);
  return (
    <Stack gap="md">
      <Text size="sm">
        The payer paid <strong>{formatCents(exception.paidCents)}</strong> for control number <strong>{exception.patientControlNumber}</strong>
        {exception.patientName ? ` (patient ${exception.patientName})` : ''}. Matching posts it to the claim you choose by the same rules as
        an import, taking the money out of suspense.
      </Text>
      <TextInput label="Find the claim" description="Control number or patient name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} data-autofocus />
      {claims.data && claims.data.items.length === 0 ? <Text size="sm" c="dimmed">No claim waiting for payment matches.</Text> : null}
      {claims.data && claims.data.items.length > 0 ? (
        <Radio.Group value={claimId} onChange={setClaimId} aria-label="Claims">
          <Table verticalSpacing={4} aria-label="Matching claims">
            <Table.Tbody>
              {claims.data.items.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Radio value={c.id} label={`${c.controlNumber} · ${c.patientName}`} aria-label={`Claim ${c.controlNumber} for ${c.patientName}`} />
                  </Table.Td>
                  <Table.Td>
                    <CalendarDate value={c.serviceDate} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{c.payerName}</Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Money cents={c.billedCents} size="sm" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Radio.Group>
      ) : null}
      <MutationError error={match.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button
          disabled={!chosen}
          loading={match.isPending}
          onClick={() =>
            chosen &&
            match.mutate(
              { exceptionId: exception.id, claimId: chosen.id, idempotencyKey: idempotency.keyFor({ match: exception.id, claimId: chosen.id }) },
              {
                onSuccess: () => {
                  notifications.show({ color: 'green', title: 'Exception matched', message: `${formatCents(exception.paidCents)} posted to claim ${chosen.controlNumber}.` });
                  onDone();
                },
              },
            )
          }
        >
          Post to claim
        </Button>
      </Group>
    </Stack>
  );
}

const resolutions: Array<{ value: ResolveException['resolution']; label: string }> = [
  { value: 'returned_to_payer', label: 'Returned to the payer' },
  { value: 'not_ours', label: 'Not our patient or claim' },
  { value: 'duplicate_payment', label: 'Paid twice by the payer' },
  { value: 'other', label: 'Other' },
];

export const resolutionLabels: Record<string, string> = Object.fromEntries([...resolutions.map((r) => [r.value, r.label]), ['matched', 'Matched to a claim']]);

/** Resolve without a claim: the money held becomes an amount owed to the payer. */
export function ResolveExceptionDialog({ exception, onClose }: { exception: RemittanceException | null; onClose: () => void }) {
  return (
    <Modal opened={exception !== null} onClose={onClose} title="Resolve exception" centered>
      {exception ? <ResolveForm exception={exception} onDone={onClose} /> : null}
    </Modal>
  );
}

function ResolveForm({ exception, onDone }: { exception: RemittanceException; onDone: () => void }) {
  const [resolution, setResolution] = useState<ResolveException['resolution']>('returned_to_payer');
  const [note, setNote] = useState('');
  const resolve = useResolveException();
  const idempotency = useIdempotencyKey();
  const body = { resolution, note: note.trim() };
  return (
    <Stack gap="md">
      <Text size="sm">
        {exception.suspenseCents !== 0 ? (
          <>
            The <strong>{formatCents(exception.suspenseCents)}</strong> held for {exception.patientControlNumber} is the payer&apos;s: it
            becomes an amount owed to {exception.payerName ?? 'the payer'}, due back within 60 days.
          </>
        ) : (
          <>No money is held for {exception.patientControlNumber}; resolving takes it off the queue.</>
        )}
      </Text>
      <Select label="Resolution" data={resolutions} value={resolution} onChange={(v) => v && setResolution(v as ResolveException['resolution'])} allowDeselect={false} />
      <Textarea label="Note" description="What was done, for the record" required value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
      <MutationError error={resolve.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button
          color="orange"
          disabled={body.note === ''}
          loading={resolve.isPending}
          onClick={() =>
            resolve.mutate(
              { exceptionId: exception.id, body, idempotencyKey: idempotency.keyFor({ resolve: exception.id, ...body }) },
              {
                onSuccess: () => {
                  notifications.show({ color: 'green', title: 'Exception resolved', message: `${exception.patientControlNumber}: ${resolutionLabels[resolution]}.` });
                  onDone();
                },
              },
            )
          }
        >
          Resolve
        </Button>
      </Group>
    </Stack>
  );
}
