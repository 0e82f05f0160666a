import { Select, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Payment, PatientTreatmentSummary } from '../../api/types';
import { AmountDialog, AmountForm, amountProblem, DialogActions } from '../../ui/amount-dialog';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { treatmentLabel } from '../treatments/labels';
import { useApplyPayment } from './applications-api';
import { MutationError } from '../../ui/mutation-error';

interface Props {
  payment: Payment;
  treatments: PatientTreatmentSummary[];
  opened: boolean;
  onClose: () => void;
}

/** Apply part of a payment's unapplied money to one of its patient's treatments. */
export function ApplyPaymentDialog({ payment, treatments, opened, onClose }: Props) {
  return (
    <AmountDialog subject={opened} onClose={onClose} title={`Apply ${payment.number} to a treatment`}>
      {() => <ApplyForm payment={payment} treatments={treatments} onDone={onClose} />}
    </AmountDialog>
  );
}

function ApplyForm({ payment, treatments, onDone }: { payment: Payment; treatments: PatientTreatmentSummary[]; onDone: () => void }) {
  const apply = useApplyPayment(payment.id);
  const idempotency = useIdempotencyKey();
  const unapplied = Math.max(0, payment.billing.unappliedCents);
  const open = treatments.filter((t) => t.balanceCents > 0);
  const first = open.length === 1 ? open[0]! : null;
  const [treatmentId, setTreatmentId] = useState<string | null>(first?.id ?? (payment.treatmentId && open.some((t) => t.id === payment.treatmentId) ? payment.treatmentId : null));
  const chosen = open.find((t) => t.id === treatmentId) ?? null;
  const [amountCents, setAmountCents] = useState<number | null>(chosen ? Math.min(unapplied, chosen.balanceCents) : null);
  const [errors, setErrors] = useState<{ treatment?: string; amount?: string }>({});

  const submit = () => {
    const next: { treatment?: string; amount?: string } = {};
    if (!chosen) next.treatment = 'Choose the treatment';
    const amount = amountProblem(amountCents, [
      { cents: unapplied, message: `Only ${formatCents(unapplied)} is unapplied` },
      chosen && { cents: chosen.balanceCents, message: `The treatment's open balance is ${formatCents(chosen.balanceCents)}` },
    ]);
    if (amount) next.amount = amount;
    setErrors(next);
    if (Object.keys(next).length > 0 || !chosen || amountCents === null) return;
    const body = { treatmentId: chosen.id, amountCents };
    apply.mutate(
      { body, idempotencyKey: idempotency.keyFor(body) },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', title: 'Applied', message: `${formatCents(amountCents)} of ${payment.number} applied to the visit of ${treatmentLabel(chosen)}.` });
          onDone();
        },
      },
    );
  };

  return (
    <AmountForm onSubmit={submit} label="Apply to treatment">
      <Text size="sm">
        Unapplied on {payment.number}: <strong>{formatCents(unapplied)}</strong>
      </Text>
      <MutationError error={apply.error} />
      <Select
        label="Treatment"
        required
        allowDeselect={false}
        placeholder={open.length === 0 ? 'No treatment has an open balance' : 'Choose a visit'}
        disabled={open.length === 0}
        data={open.map((t) => ({ value: t.id, label: `${treatmentLabel(t)} · owes ${formatCents(t.balanceCents)}` }))}
        value={treatmentId}
        onChange={(id) => {
          setTreatmentId(id);
          const t = open.find((x) => x.id === id);
          if (t) setAmountCents(Math.min(unapplied, t.balanceCents));
          setErrors({});
        }}
        error={errors.treatment}
      />
      <DollarsInput
        label="Amount to apply"
        required
        cents={amountCents}
        onChange={(cents) => {
          setAmountCents(cents);
          setErrors((e) => ({ ...e, amount: undefined }));
        }}
        error={errors.amount}
      />
      <DialogActions onCancel={onDone} submitLabel="Apply" loading={apply.isPending} disabled={open.length === 0} />
    </AmountForm>
  );
}
