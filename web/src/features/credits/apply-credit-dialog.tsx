import { Select, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Credit, PatientTreatmentSummary } from '../../api/types';
import { AmountDialog, AmountForm, amountProblem, DialogActions } from '../../ui/amount-dialog';
import { formatInstant } from '../../ui/dates';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { treatmentLabel } from '../treatments/labels';
import { creditSourceLabels, useApplyCredit } from './credits-api';
import { MutationError } from '../../ui/mutation-error';

interface Props {
  credits: Credit[];
  treatments: PatientTreatmentSummary[];
  /** The lot and the treatment to start with, when the dialog is opened from one of them. */
  initialCreditId?: string | null;
  initialTreatmentId?: string | null;
  opened: boolean;
  onClose: () => void;
}

export function creditLabel(c: Credit): string {
  return `${formatCents(c.remainingCents)} left · ${creditSourceLabels[c.source]}${c.reference ? ` · ${c.reference}` : ''} · ${formatInstant(c.createdAt, false)}`;
}

/** Pays a treatment's patient responsibility from a credit lot: choose the lot, the visit and the amount. */
export function ApplyCreditDialog(props: Props) {
  return (
    <AmountDialog subject={props.opened} onClose={props.onClose} title="Apply credit to a treatment">
      {() => <ApplyCreditForm {...props} />}
    </AmountDialog>
  );
}

function ApplyCreditForm({ credits, treatments, initialCreditId, initialTreatmentId, onClose }: Props) {
  const apply = useApplyCredit();
  const idempotency = useIdempotencyKey();
  const lots = credits.filter((c) => c.remainingCents > 0);
  const open = treatments.filter((t) => t.balanceCents > 0);
  const only = <T,>(list: T[]) => (list.length === 1 ? list[0]! : null);
  const [creditId, setCreditId] = useState<string | null>(
    lots.find((c) => c.id === initialCreditId)?.id ?? only(lots)?.id ?? null,
  );
  const [treatmentId, setTreatmentId] = useState<string | null>(
    open.find((t) => t.id === initialTreatmentId)?.id ?? only(open)?.id ?? null,
  );
  const lot = lots.find((c) => c.id === creditId) ?? null;
  const treatment = open.find((t) => t.id === treatmentId) ?? null;
  const suggested = lot && treatment ? Math.min(lot.remainingCents, treatment.balanceCents) : null;
  const [amountCents, setAmountCents] = useState<number | null>(suggested);
  const [errors, setErrors] = useState<{ credit?: string; treatment?: string; amount?: string }>({});

  const pick = (nextLot: Credit | null, nextTreatment: PatientTreatmentSummary | null) => {
    if (nextLot && nextTreatment) setAmountCents(Math.min(nextLot.remainingCents, nextTreatment.balanceCents));
    setErrors({});
  };

  const submit = () => {
    const next: typeof errors = {};
    if (!lot) next.credit = 'Choose the credit to draw from';
    if (!treatment) next.treatment = 'Choose the treatment';
    const amount = amountProblem(amountCents, [
      lot && { cents: lot.remainingCents, message: `This credit has ${formatCents(lot.remainingCents)} left` },
      treatment && { cents: treatment.balanceCents, message: `The treatment owes ${formatCents(treatment.balanceCents)}` },
    ]);
    if (amount) next.amount = amount;
    setErrors(next);
    if (Object.keys(next).length > 0 || !lot || !treatment || amountCents === null) return;
    const body = { creditId: lot.id, amountCents };
    apply.mutate(
      { treatmentId: treatment.id, body, idempotencyKey: idempotency.keyFor({ treatmentId: treatment.id, ...body }) },
      {
        onSuccess: () => {
          notifications.show({
            color: 'green',
            title: 'Credit applied',
            message: `${formatCents(amountCents)} paid to the visit of ${treatmentLabel(treatment)}.`,
          });
          onClose();
        },
      },
    );
  };

  return (
    <AmountForm onSubmit={submit} label="Apply credit">
      <MutationError error={apply.error} />
      <Select
        label="Credit"
        required
        allowDeselect={false}
        placeholder={lots.length === 0 ? 'No credit left' : 'Choose the credit to draw from'}
        data={lots.map((c) => ({ value: c.id, label: creditLabel(c) }))}
        value={creditId}
        onChange={(id) => {
          setCreditId(id);
          pick(lots.find((c) => c.id === id) ?? null, treatment);
        }}
        error={errors.credit}
        disabled={lots.length === 0}
      />
      <Select
        label="Treatment"
        required
        allowDeselect={false}
        placeholder={open.length === 0 ? 'No treatment has an open balance' : 'Choose a visit'}
        data={open.map((t) => ({ value: t.id, label: `${treatmentLabel(t)} · owes ${formatCents(t.balanceCents)}` }))}
        value={treatmentId}
        onChange={(id) => {
          setTreatmentId(id);
          pick(lot, open.find((t) => t.id === id) ?? null);
        }}
        error={errors.treatment}
        disabled={open.length === 0}
      />
      <DollarsInput
        label="Amount"
        required
        cents={amountCents}
        onChange={(cents) => {
          setAmountCents(cents);
          setErrors((e) => ({ ...e, amount: undefined }));
        }}
        error={errors.amount}
      />
      <Text size="xs" c="dimmed">
        Recorded as a Paid payment with method Patient Credit, applied to the treatment.
      </Text>
      <DialogActions onCancel={onClose} submitLabel="Apply credit" loading={apply.isPending} disabled={lots.length === 0 || open.length === 0} />
    </AmountForm>
  );
}
