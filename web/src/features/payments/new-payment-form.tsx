import {
  Alert,
  Button,
  Group,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useRef, useState, type FormEvent } from 'react';
import { MAX_AMOUNT_CENTS } from '../../../../src/contracts/rules.ts';
import { newIdempotencyKey } from '../../api/client';
import type { NewPayment, Payment, PaymentMethod, PaymentType } from '../../api/types';
import { formatCalendarDate, todayCalendarDate } from '../../ui/dates';
import { usePracticeSettings } from '../practice/practice-api';
import { DollarsInput } from '../../ui/dollars-input';
import { centsToDecimalString, formatCents } from '../../ui/money';
import { EstimatePanel } from '../estimates/estimate-panel';
import { PatientPicker } from '../patients/patient-picker';
import { usePatient } from '../patients/patients-api';
import { methodLabels, paymentMethods, paymentTypes, typeLabels } from './labels';
import { useCreatePayment, useLocations } from './payments-api';
import { MutationError } from '../../ui/mutation-error';

type NewStatus = 'draft' | 'pending' | 'paid';

export interface NewPaymentDefaults {
  patientId?: string | null;
  amountCents?: number | null;
  treatmentId?: string | null;
}

interface Errors {
  patientId?: string;
  amount?: string;
  method?: string;
  checkNumber?: string;
  paidDate?: string;
}

const typeOptions = paymentTypes.map((t) => ({ value: t, label: typeLabels[t] }));
// Patient credit is drawn through a treatment's credit panel, not typed in here.
const methodOptions = paymentMethods.filter((m) => m !== 'patient_credit').map((m) => ({
  value: m,
  label: methodLabels[m],
}));

export function NewPaymentForm({
  defaults,
  onCreated,
  onCancel,
}: {
  defaults: NewPaymentDefaults;
  onCreated: (payment: Payment) => void;
  onCancel: () => void;
}) {
  const create = useCreatePayment();
  const locations = useLocations();

  const [patientId, setPatientId] = useState<string | null>(defaults.patientId ?? null);
  const [amountCents, setAmountCents] = useState<number | null>(defaults.amountCents ?? null);
  const [amountText, setAmountText] = useState(
    defaults.amountCents != null ? centsToDecimalString(defaults.amountCents) : '',
  );
  const [type, setType] = useState<PaymentType | null>(defaults.treatmentId ? 'office_visit' : null);
  const [treatmentId, setTreatmentId] = useState<string | null>(defaults.treatmentId ?? null);
  const [locationId, setLocationId] = useState<string | null>(null);
  const [dueDate, setDueDate] = useState<string | null>(null);
  const [memo, setMemo] = useState('');
  const [status, setStatus] = useState<NewStatus>('pending');
  const [method, setMethod] = useState<PaymentMethod | null>(null);
  const [checkNumber, setCheckNumber] = useState('');
  const timeZone = usePracticeSettings().data?.timeZone;
  const [paidDate, setPaidDate] = useState<string | null>(todayCalendarDate(timeZone));
  const [errors, setErrors] = useState<Errors>({});

  // One key per distinct request: a retry of the same payment reuses it, so it cannot post twice.
  const idempotency = useRef<{ body: string; key: string } | null>(null);

  const patient = usePatient(patientId);
  const treatments = patient.data?.treatments ?? [];
  const treatment = treatments.find((t) => t.id === treatmentId) ?? null;
  // The day the money is taken: the paid date, or today for a payment still to be paid.
  const paidOn = status === 'paid' ? paidDate : todayCalendarDate(timeZone);
  const dateDiffers = treatment !== null && paidOn !== null && paidOn !== treatment.serviceDate;

  const validate = (): Errors => {
    const next: Errors = {};
    if (!patientId) next.patientId = 'Choose the patient';
    if (amountCents === null) {
      next.amount = amountText.trim() === '' ? 'Enter the amount' : 'Enter an amount like 12.34';
    } else if (amountCents <= 0) {
      next.amount = 'The amount must be more than $0.00';
    } else if (amountCents > MAX_AMOUNT_CENTS) {
      next.amount = `The amount must be at most ${formatCents(MAX_AMOUNT_CENTS)}`;
    }
    if (status === 'paid') {
      if (!method) next.method = 'Choose how it was paid';
      if (!paidDate) next.paidDate = 'Enter the date it was paid';
    }
    if (method === 'check' && status === 'paid' && !checkNumber.trim()) next.checkNumber = 'Enter the check number';
    return next;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0 || !patientId || amountCents === null) return;

    const body: NewPayment = { patientId, amountCents, status };
    if (type) body.type = type;
    if (treatmentId) body.treatmentId = treatmentId;
    else if (locationId) body.locationId = locationId;
    if (method) body.method = method;
    if (method === 'check' && checkNumber.trim()) body.checkNumber = checkNumber.trim();
    if (dueDate) body.dueDate = dueDate;
    if (memo.trim()) body.memo = memo.trim();
    if (status === 'paid' && paidDate) body.paidDate = paidDate;

    const text = JSON.stringify(body);
    if (idempotency.current?.body !== text) idempotency.current = { body: text, key: newIdempotencyKey() };
    create.mutate({ body, idempotencyKey: idempotency.current.key }, { onSuccess: onCreated });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="New payment">
      <Stack gap="md">
        <MutationError error={create.error} />

        <PatientPicker
          value={patientId}
          onChange={(id) => {
            setPatientId(id);
            setTreatmentId(null);
            setErrors((e) => ({ ...e, patientId: undefined }));
          }}
          error={errors.patientId}
        />

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <DollarsInput
            label="Amount"
            description="In dollars, e.g. 40.00"
            required
            cents={amountCents}
            onChange={(cents, raw) => {
              setAmountCents(cents);
              setAmountText(raw);
              setErrors((e) => ({ ...e, amount: undefined }));
            }}
            error={errors.amount}
          />
          <Select
            label="Type"
            placeholder="Choose a type"
            data={typeOptions}
            value={type}
            onChange={(value) => setType(value as PaymentType | null)}
            clearable
          />
        </SimpleGrid>

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Treatment"
            placeholder={
              !patientId ? 'Choose a patient first' : treatments.length === 0 ? 'No treatments' : 'None'
            }
            description="Optional: the visit this payment is for"
            data={treatments.map((t) => ({
              value: t.id,
              label: `${formatCalendarDate(t.serviceDate)} · ${t.physician}${
                t.locationName ? ` · ${t.locationName}` : ''
              } · owes ${formatCents(t.patientResponsibilityCents)}`,
            }))}
            value={treatmentId}
            onChange={setTreatmentId}
            disabled={!patientId || treatments.length === 0}
            clearable
          />
          <Select
            label="Location"
            description={treatmentId ? 'From the treatment' : 'Optional'}
            placeholder={treatment?.locationName ?? 'Choose a location'}
            data={(locations.data?.items ?? []).filter((l) => l.active).map((l) => ({ value: l.id, label: l.name }))}
            value={treatmentId ? null : locationId}
            onChange={setLocationId}
            disabled={treatmentId !== null}
            clearable
          />
        </SimpleGrid>

        <EstimatePanel
          patientId={patientId}
          treatmentId={treatmentId}
          type={type}
          onUse={(cents) => {
            setAmountCents(cents);
            setAmountText(centsToDecimalString(cents));
            setErrors((e) => ({ ...e, amount: undefined }));
          }}
        />

        <Stack gap={4}>
          <Text size="sm" fw={500} id="new-payment-status">
            Status
          </Text>
          <SegmentedControl
            aria-labelledby="new-payment-status"
            value={status}
            onChange={(value) => setStatus(value as NewStatus)}
            data={[
              { value: 'draft', label: 'Draft' },
              { value: 'pending', label: 'Pending' },
              { value: 'paid', label: 'Paid' },
            ]}
            style={{ alignSelf: 'flex-start' }}
          />
        </Stack>

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Method"
            placeholder={status === 'paid' ? 'How was it paid?' : 'Optional'}
            data={methodOptions}
            value={method}
            onChange={(value) => {
              setMethod(value as PaymentMethod | null);
              setErrors((e) => ({ ...e, method: undefined, checkNumber: undefined }));
            }}
            required={status === 'paid'}
            error={errors.method}
            clearable
          />
          {method === 'check' ? (
            <TextInput
              label="Check number"
              value={checkNumber}
              onChange={(event) => setCheckNumber(event.currentTarget.value)}
              required={status === 'paid'}
              error={errors.checkNumber}
            />
          ) : null}
        </SimpleGrid>

        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <DateInput
            label="Due date"
            placeholder="YYYY-MM-DD"
            valueFormat="YYYY-MM-DD"
            value={dueDate}
            onChange={setDueDate}
            clearable
          />
          {status === 'paid' ? (
            <DateInput
              label="Paid date"
              placeholder="YYYY-MM-DD"
              valueFormat="YYYY-MM-DD"
              value={paidDate}
              onChange={setPaidDate}
              required
              error={errors.paidDate}
            />
          ) : null}
        </SimpleGrid>

        {dateDiffers && treatment ? (
          <Alert color="yellow" title="Payment date differs from the date of service">
            The visit was on {formatCalendarDate(treatment.serviceDate)}; this payment is dated{' '}
            {formatCalendarDate(paidOn ?? '')}.
          </Alert>
        ) : null}

        <Textarea label="Memo" autosize minRows={2} value={memo} onChange={(e) => setMemo(e.currentTarget.value)} />

        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create payment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
