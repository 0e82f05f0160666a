import { Alert, Button, Card, Fieldset, Group, Select, SimpleGrid, Stack, Textarea, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { MAX_AMOUNT_CENTS } from '../../../../src/contracts/rules.ts';
import type { PaymentChanges, PaymentDetail, PaymentType } from '../../api/types';
import { formatCalendarDate } from '../../ui/dates';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { usePatient } from '../patients/patients-api';
import { paymentTypes, statusLabel, typeLabels } from './labels';
import { useUpdatePayment } from './payments-api';
import { MutationError } from '../../ui/mutation-error';

interface Values {
  amountCents: number | null;
  type: PaymentType | null;
  treatmentId: string | null;
  dueDate: string | null;
  memo: string;
}

function valuesOf(payment: PaymentDetail): Values {
  return {
    amountCents: payment.amountCents,
    type: payment.type,
    treatmentId: payment.treatmentId,
    dueDate: payment.dueDate,
    memo: payment.memo ?? '',
  };
}

/** Only the fields that changed, so a PATCH never rewrites what the user didn't touch. */
function changesBetween(before: Values, after: Values): PaymentChanges {
  const changes: PaymentChanges = {};
  if (after.amountCents !== null && after.amountCents !== before.amountCents) changes.amountCents = after.amountCents;
  if (after.type !== before.type && after.type) changes.type = after.type;
  if (after.treatmentId !== before.treatmentId) changes.treatmentId = after.treatmentId;
  if (after.dueDate !== before.dueDate) changes.dueDate = after.dueDate;
  if (after.memo.trim() !== before.memo.trim()) changes.memo = after.memo.trim() || null;
  return changes;
}

/** Render with key={updatedAt}: a saved change on the server starts the form afresh. */
export function PaymentEditForm({ payment, canEdit }: { payment: PaymentDetail; canEdit: boolean }) {
  const update = useUpdatePayment(payment.id);
  const patient = usePatient(payment.editable ? payment.patientId : null);
  const [values, setValues] = useState<Values>(() => valuesOf(payment));
  const [amountError, setAmountError] = useState<string | null>(null);

  const locked = !payment.editable || !canEdit;
  const changes = changesBetween(valuesOf(payment), values);
  const dirty = Object.keys(changes).length > 0;

  const treatments = patient.data?.treatments ?? [];
  const treatmentOptions = treatments.map((t) => ({
    value: t.id,
    label: `${formatCalendarDate(t.serviceDate)} · ${t.physician}`,
  }));
  if (payment.treatment && !treatmentOptions.some((o) => o.value === payment.treatment?.id)) {
    treatmentOptions.unshift({
      value: payment.treatment.id,
      label: `${formatCalendarDate(payment.treatment.serviceDate)} · ${payment.treatment.physician}`,
    });
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (values.amountCents === null || values.amountCents <= 0 || values.amountCents > MAX_AMOUNT_CENTS) {
      setAmountError(
        values.amountCents === null
          ? 'Enter an amount like 12.34'
          : values.amountCents <= 0
            ? 'The amount must be more than $0.00'
            : `The amount must be at most ${formatCents(MAX_AMOUNT_CENTS)}`,
      );
      return;
    }
    if (!dirty) return;
    update.mutate(changes, {
      onSuccess: (updated) => notifications.show({ color: 'green', title: `${updated.number} saved`, message: 'Changes saved.' }),
    });
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="edit-title">
      <Title order={2} size="h4" id="edit-title" mb="sm">
        Details
      </Title>
      {!payment.editable ? (
        <Alert color="gray" mb="sm" title="This payment can no longer be edited">
          It is {statusLabel(payment.status)}: paid, partially refunded, refunded and voided payments keep their
          amount, patient, treatment, type, due date and memo. Notes and documents can still be added.
        </Alert>
      ) : !canEdit ? (
        <Alert color="gray" mb="sm">
          Your role cannot edit payments.
        </Alert>
      ) : null}
      <form onSubmit={submit} noValidate aria-label="Edit payment">
        <Fieldset disabled={locked} variant="unstyled">
          <Stack gap="sm">
            <MutationError error={update.error} />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <DollarsInput
                label="Amount"
                required
                cents={values.amountCents}
                onChange={(cents) => {
                  setValues((v) => ({ ...v, amountCents: cents }));
                  setAmountError(null);
                }}
                error={amountError}
              />
              <Select
                label="Type"
                data={paymentTypes.map((t) => ({ value: t, label: typeLabels[t] }))}
                value={values.type}
                onChange={(type) => setValues((v) => ({ ...v, type: type as PaymentType | null }))}
                allowDeselect={false}
              />
              <Select
                label="Treatment"
                placeholder="None"
                data={treatmentOptions}
                value={values.treatmentId}
                onChange={(treatmentId) => setValues((v) => ({ ...v, treatmentId }))}
                clearable
              />
              <DateInput
                label="Due date"
                placeholder="YYYY-MM-DD"
                valueFormat="YYYY-MM-DD"
                value={values.dueDate}
                onChange={(dueDate) => setValues((v) => ({ ...v, dueDate }))}
                clearable
              />
            </SimpleGrid>
            <Textarea
              label="Memo"
              autosize
              minRows={2}
              value={values.memo}
              onChange={(event) => {
                const memo = event.currentTarget.value;
                setValues((v) => ({ ...v, memo }));
              }}
            />
            {!locked ? (
              <Group justify="flex-end">
                <Button variant="default" disabled={!dirty} onClick={() => setValues(valuesOf(payment))}>
                  Reset
                </Button>
                <Button type="submit" disabled={!dirty} loading={update.isPending}>
                  Save changes
                </Button>
              </Group>
            ) : null}
          </Stack>
        </Fieldset>
      </form>
    </Card>
  );
}
