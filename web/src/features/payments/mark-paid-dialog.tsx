import { Alert, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useEffect, useState } from 'react';
import type { ChangeStatusBody } from '../../../../src/contracts/payments.ts';
import type { PaymentDetail, PaymentMethod } from '../../api/types';
import { DialogActions } from '../../ui/amount-dialog';
import { formatCalendarDate, todayCalendarDate } from '../../ui/dates';
import { formatCents } from '../../ui/money';
import { usePracticeSettings } from '../practice/practice-api';
import { treatmentLabel } from '../treatments/labels';
import { methodLabels, paymentMethods } from './labels';

interface Props {
  payment: PaymentDetail;
  opened: boolean;
  onClose: () => void;
  onConfirm: (change: ChangeStatusBody) => void;
  pending: boolean;
  /** The server's refusal, shown in the dialog. */
  failure: { title: string; message: string } | null;
}

/** Pending → Paid books money: ask how and when it was paid, then confirm. */
export function MarkPaidDialog({ payment, opened, onClose, onConfirm, pending, failure }: Props) {
  const timeZone = usePracticeSettings().data?.timeZone;
  const [method, setMethod] = useState<PaymentMethod | null>(payment.method === 'patient_credit' ? null : payment.method);
  const [checkNumber, setCheckNumber] = useState(payment.checkNumber ?? '');
  const [paidDate, setPaidDate] = useState<string | null>(todayCalendarDate(timeZone));
  const [errors, setErrors] = useState<{ method?: string; checkNumber?: string; paidDate?: string }>({});

  // The practice's today once its settings arrive (they may load after the dialog mounts).
  useEffect(() => {
    if (opened) setPaidDate(todayCalendarDate(timeZone));
  }, [opened, timeZone]);

  const submit = () => {
    const found: typeof errors = {};
    if (!method) found.method = 'Choose how it was paid';
    if (method === 'check' && !checkNumber.trim()) found.checkNumber = 'Enter the check number';
    if (!paidDate) found.paidDate = 'Enter the paid date';
    setErrors(found);
    if (Object.keys(found).length > 0 || !method || !paidDate) return;
    onConfirm({ status: 'paid', method, paidDate, ...(method === 'check' ? { checkNumber: checkNumber.trim() } : {}) });
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`Mark ${payment.number} Paid`} centered>
      <Stack gap="sm">
        <Text size="sm">
          {formatCents(payment.amountCents)} from {payment.patientName}
          {payment.treatment ? ` for the visit of ${treatmentLabel(payment.treatment)}` : ''}. The money is booked when you confirm.
        </Text>
        <Select
          label="Method"
          placeholder="How it was paid"
          data={paymentMethods.filter((m) => m !== 'patient_credit').map((m) => ({ value: m, label: methodLabels[m] }))}
          value={method}
          onChange={(value) => {
            setMethod(value as PaymentMethod | null);
            setErrors((e) => ({ ...e, method: undefined }));
          }}
          allowDeselect={false}
          required
          error={errors.method}
        />
        {method === 'check' ? (
          <TextInput
            label="Check number"
            value={checkNumber}
            maxLength={40}
            onChange={(event) => {
              setCheckNumber(event.currentTarget.value);
              setErrors((e) => ({ ...e, checkNumber: undefined }));
            }}
            required
            error={errors.checkNumber}
          />
        ) : null}
        <DateInput
          label="Paid date"
          description={paidDate ? `Today in the practice calendar is ${formatCalendarDate(todayCalendarDate(timeZone))}.` : undefined}
          placeholder="YYYY-MM-DD"
          valueFormat="YYYY-MM-DD"
          value={paidDate}
          onChange={setPaidDate}
          required
          error={errors.paidDate}
        />
        {Object.keys(errors).some((k) => errors[k as keyof typeof errors]) ? (
          <Alert color="red" role="alert">
            Fill in the marked fields.
          </Alert>
        ) : null}
        {failure ? (
          <Alert color="red" title={failure.title} role="alert">
            {failure.message}
          </Alert>
        ) : null}
        <DialogActions onCancel={onClose} cancelLabel="Back" submitLabel="Confirm: mark Paid" onSubmit={submit} loading={pending} />
      </Stack>
    </Modal>
  );
}
