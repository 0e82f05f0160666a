import { Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { AmountDialog, DialogActions } from '../../ui/amount-dialog';
import { formatCents } from '../../ui/money';
import { MutationError } from '../../ui/mutation-error';
import { useIdempotencyKey } from '../ledger/idempotency';
import { PatientPicker } from '../patients/patient-picker';
import { type ProcessorReceipt, useAssignProcessorReceipt } from './reconciliation-api';

/** Assign: say whose a held dashboard charge is; it becomes their Paid card payment, applied like any payment. */
export function AssignReceiptDialog({ receipt, onClose }: { receipt: ProcessorReceipt | null; onClose: () => void }) {
  return (
    <AmountDialog subject={receipt} onClose={onClose} title="Assign to a patient" size="lg">
      {(held) => <AssignForm receipt={held} onDone={onClose} />}
    </AmountDialog>
  );
}

function AssignForm({ receipt, onDone }: { receipt: ProcessorReceipt; onDone: () => void }) {
  const [patientId, setPatientId] = useState<string | null>(null);
  const assign = useAssignProcessorReceipt();
  const idempotency = useIdempotencyKey();
  return (
    <Stack gap="md">
      <Text size="sm">
        The processor received <strong>{formatCents(receipt.amountCents)}</strong> by card ({receipt.processorReference}
        {receipt.payerEmail ? `, paid by ${receipt.payerEmail}` : ''})
        {receipt.returnedCents > 0 ? <>, of which {formatCents(receipt.returnedCents)} went back to the card</> : null}. Assigning it books a Paid card payment of{' '}
        <strong>{formatCents(receipt.amountCents - receipt.returnedCents)}</strong> for the patient you choose, applied to what they owe like any payment, and takes it off
        unidentified receipts.
      </Text>
      <PatientPicker value={patientId} onChange={setPatientId} />
      <MutationError error={assign.error} />
      <DialogActions
        onCancel={onDone}
        submitLabel="Assign"
        disabled={!patientId}
        loading={assign.isPending}
        onSubmit={() =>
          patientId &&
          assign.mutate(
            { receiptId: receipt.id, patientId, idempotencyKey: idempotency.keyFor({ assign: receipt.id, patientId }) },
            {
              onSuccess: (assigned) => {
                notifications.show({ color: 'green', title: 'Receipt assigned', message: `${formatCents(receipt.amountCents - receipt.returnedCents)} booked as ${assigned.paymentNumber} for ${assigned.patientName}.` });
                onDone();
              },
            },
          )
        }
      />
    </Stack>
  );
}
