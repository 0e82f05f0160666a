import { Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Credit } from '../../api/types';
import { AmountDialog, AmountForm, DialogActions } from '../../ui/amount-dialog';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { PatientPicker } from '../patients/patient-picker';
import { useTransferCredit } from './credits-api';
import { MutationError } from '../../ui/mutation-error';

interface Props {
  credit: Credit | null;
  patientName: string;
  onClose: () => void;
}

/** Admin only: moves what remains of a credit to another patient account of the practice (audited). */
export function TransferCreditDialog({ credit, patientName, onClose }: Props) {
  return (
    <AmountDialog subject={credit} onClose={onClose} title="Transfer credit">
      {(lot) => <TransferForm credit={lot} patientName={patientName} onDone={onClose} />}
    </AmountDialog>
  );
}

function TransferForm({ credit, patientName, onDone }: { credit: Credit; patientName: string; onDone: () => void }) {
  const transfer = useTransferCredit();
  const idempotency = useIdempotencyKey();
  const [toPatientId, setToPatientId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    if (!toPatientId) return setError('Choose the patient to transfer to');
    if (toPatientId === credit.patientId) return setError('Choose another patient: the credit is already theirs');
    transfer.mutate(
      { creditId: credit.id, toPatientId, idempotencyKey: idempotency.keyFor({ creditId: credit.id, toPatientId }) },
      {
        onSuccess: (moved) => {
          notifications.show({ color: 'green', title: 'Credit transferred', message: `${formatCents(moved.amountCents)} moved.` });
          onDone();
        },
      },
    );
  };

  return (
    <AmountForm onSubmit={submit} label="Transfer credit">
      <Text size="sm">
        Moves the <strong>{formatCents(credit.remainingCents)}</strong> left of this credit from {patientName} to another
        patient of the practice. The transfer is audited.
      </Text>
      <MutationError error={transfer.error} />
      <PatientPicker
        label="Transfer to"
        value={toPatientId}
        onChange={(id) => {
          setToPatientId(id);
          setError(null);
        }}
        error={error}
      />
      <DialogActions onCancel={onDone} submitLabel={`Transfer ${formatCents(credit.remainingCents)}`} loading={transfer.isPending} />
    </AmountForm>
  );
}
