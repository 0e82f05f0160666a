import { Select, SimpleGrid, Text, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/describe-error';
import type { CompleteTask, Task, TaskRefundMethod } from '../../api/types';
import { AmountDialog, AmountForm, amountProblem, DialogActions } from '../../ui/amount-dialog';
import { todayCalendarDate } from '../../ui/dates';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { taskRefundMethodLabels } from './labels';
import { useCompleteTask } from './tasks-api';
import { MutationError } from '../../ui/mutation-error';

const methodOptions = (Object.keys(taskRefundMethodLabels) as TaskRefundMethod[]).map((m) => ({
  value: m,
  label: taskRefundMethodLabels[m],
}));

export function RecordRefundDialog({ task, onClose }: { task: Task | null; onClose: () => void }) {
  return (
    <AmountDialog subject={task} onClose={onClose} title="Record refund">
      {(owed) => <RecordRefundForm task={owed} onDone={onClose} />}
    </AmountDialog>
  );
}

interface Errors {
  refundDate?: string;
  amount?: string;
  method?: string;
}

/** Completes a refund-owed task by recording the refund: date, amount, how, and a reference. */
function RecordRefundForm({ task, onDone }: { task: Task; onDone: () => void }) {
  const complete = useCompleteTask();
  const idempotency = useIdempotencyKey();
  const [refundDate, setRefundDate] = useState<string | null>(todayCalendarDate());
  const [amountCents, setAmountCents] = useState<number | null>(task.amountCents);
  const [method, setMethod] = useState<TaskRefundMethod | null>(null);
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<Errors>({});

  const submit = () => {
    const next: Errors = {};
    if (!refundDate) next.refundDate = 'Enter the day the money went back';
    const amount = amountProblem(amountCents);
    if (amount) next.amount = amount;
    if (!method) next.method = 'Choose how it was refunded';
    setErrors(next);
    if (Object.keys(next).length > 0 || !refundDate || amountCents === null || !method) return;
    const body: CompleteTask = { refundDate, amountCents, method };
    if (reference.trim()) body.reference = reference.trim();
    complete.mutate(
      { taskId: task.id, body, idempotencyKey: idempotency.keyFor({ taskId: task.id, ...body }) },
      {
        onSuccess: () => {
          notifications.show({ color: 'green', title: 'Refund recorded', message: `${formatCents(amountCents)} refunded to ${task.patientName}.` });
          onDone();
        },
      },
    );
  };

  return (
    <AmountForm onSubmit={submit} label="Record refund">
      <Text size="sm">
        {task.patientName} is owed <strong>{formatCents(task.amountCents)}</strong> of unapplied funds.
      </Text>
      <MutationError error={complete.error} />
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <DateInput
          label="Refund date"
          placeholder="YYYY-MM-DD"
          valueFormat="YYYY-MM-DD"
          required
          value={refundDate}
          onChange={(value) => {
            setRefundDate(value);
            setErrors((e) => ({ ...e, refundDate: undefined }));
          }}
          error={errors.refundDate}
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
      </SimpleGrid>
      <Select
        label="Method"
        placeholder="How did the money go back?"
        required
        data={methodOptions}
        value={method}
        onChange={(value) => {
          setMethod(value as TaskRefundMethod | null);
          setErrors((e) => ({ ...e, method: undefined }));
        }}
        error={errors.method}
        allowDeselect={false}
      />
      <TextInput
        label="Reference"
        description="Check number, card refund reference, who handed the cash back…"
        maxLength={500}
        value={reference}
        onChange={(e) => setReference(e.currentTarget.value)}
      />
      <DialogActions onCancel={onDone} submitLabel="Record refund" loading={complete.isPending} />
    </AmountForm>
  );
}
