import { Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { MAX_AMOUNT_CENTS } from '../../../../src/contracts/rules.ts';
import type { NewCredit } from '../../api/types';
import { AmountDialog, AmountForm, amountProblem, DialogActions } from '../../ui/amount-dialog';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { useCreateCredit } from './credits-api';
import { MutationError } from '../../ui/mutation-error';

export function NewCreditDialog({ patientId, opened, onClose }: { patientId: string; opened: boolean; onClose: () => void }) {
  return (
    <AmountDialog subject={opened} onClose={onClose} title="New credit">
      {() => <NewCreditForm patientId={patientId} onDone={onClose} />}
    </AmountDialog>
  );
}

function NewCreditForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const create = useCreateCredit(patientId);
  const idempotency = useIdempotencyKey();
  const [amountCents, setAmountCents] = useState<number | null>(null);
  const [reference, setReference] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const problem = amountProblem(amountCents, [{ cents: MAX_AMOUNT_CENTS, message: `At most ${formatCents(MAX_AMOUNT_CENTS)}` }]);
    if (problem !== undefined || amountCents === null) return setError(problem ?? null);
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
    <AmountForm onSubmit={submit} label="New credit">
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
      <DialogActions onCancel={onDone} submitLabel="Create credit" loading={create.isPending} />
    </AmountForm>
  );
}
