import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { MAX_AMOUNT_CENTS } from '../../../../src/contracts/rules.ts';
import type { NewCredit } from '../../api/types';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { useCreateCredit } from './credits-api';
import { MutationError } from '../../ui/mutation-error';

export function NewCreditDialog({ patientId, opened, onClose }: { patientId: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New credit" centered>
      {opened ? <NewCreditForm patientId={patientId} onDone={onClose} /> : null}
    </Modal>
  );
}

function NewCreditForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const create = useCreateCredit(patientId);
  const idempotency = useIdempotencyKey();
  const [amountCents, setAmountCents] = useState<number | null>(null);
  const [reference, setReference] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (amountCents === null || amountCents < 1) return setError('Enter an amount of at least $0.01');
    if (amountCents > MAX_AMOUNT_CENTS) return setError(`At most ${formatCents(MAX_AMOUNT_CENTS)}`);
    const body: NewCredit = { amountCents };
    if (reference.trim()) body.reference = reference.trim();
    if (description.trim()) body.description = description.trim();
    create.mutate(
      { body, idempotencyKey: idempotency.keyFor(body) },
      {
        onSuccess: (credit) => {
          notifications.show({ color: 'green', title: 'Credit created', message: `${formatCents(credit.amountCents)} of credit.` });
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="New credit">
      <Stack gap="md">
        <MutationError error={create.error} />
        <DollarsInput
          label="Credit amount"
          required
          data-autofocus
          cents={amountCents}
          onChange={(cents) => {
            setAmountCents(cents);
            setError(null);
          }}
          error={error}
        />
        <TextInput
          label="Payment reference"
          description="Optional: the payment or receipt this credit comes from"
          maxLength={200}
          value={reference}
          onChange={(e) => setReference(e.currentTarget.value)}
        />
        <Textarea label="Description" autosize minRows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create credit
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
