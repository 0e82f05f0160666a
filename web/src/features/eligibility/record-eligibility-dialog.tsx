import { Button, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { MAX_AMOUNT_CENTS } from '../../../../src/contracts/rules.ts';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useRecordEligibilityCheck, type NewEligibilityCheck } from './eligibility-api';
import { MutationError } from '../../ui/mutation-error';

export function RecordEligibilityDialog({ patientId, opened, onClose }: { patientId: string; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Record eligibility check" centered size="lg">
      {opened ? <RecordEligibilityForm patientId={patientId} onDone={onClose} /> : null}
    </Modal>
  );
}

type AmountField = 'copay' | 'deductibleRemaining' | 'deductibleTotal' | 'oopRemaining' | 'oopTotal';
const requiredAmounts: AmountField[] = ['deductibleRemaining', 'oopRemaining'];

function RecordEligibilityForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const record = useRecordEligibilityCheck(patientId);
  const [cents, setCents] = useState<Record<AmountField, number | null>>({
    copay: null,
    deductibleRemaining: null,
    deductibleTotal: null,
    oopRemaining: null,
    oopTotal: null,
  });
  const [texts, setTexts] = useState<Record<AmountField, string>>({ copay: '', deductibleRemaining: '', deductibleTotal: '', oopRemaining: '', oopTotal: '' });
  const [coinsurance, setCoinsurance] = useState('');
  const [errors, setErrors] = useState<Partial<Record<AmountField | 'coinsurance', string>>>({});

  const amount = (name: AmountField, label: string, description?: string) => (
    <DollarsInput
      label={label}
      description={description}
      required={requiredAmounts.includes(name)}
      cents={cents[name]}
      onChange={(value, text) => {
        setCents((c) => ({ ...c, [name]: value }));
        setTexts((t) => ({ ...t, [name]: text }));
        setErrors((e) => ({ ...e, [name]: undefined }));
      }}
      error={errors[name]}
    />
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: typeof errors = {};
    for (const name of Object.keys(cents) as AmountField[]) {
      const value = cents[name];
      const typed = texts[name].trim() !== '';
      if (value === null) {
        if (typed) next[name] = 'Enter an amount such as 1250.00';
        else if (requiredAmounts.includes(name)) next[name] = 'Required (enter 0 if none)';
      } else if (value > MAX_AMOUNT_CENTS) next[name] = `At most ${formatCents(MAX_AMOUNT_CENTS)}`;
    }
    const percent = coinsurance.trim().replace(/%$/, '').trim();
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(percent) || Number(percent) > 100) next.coinsurance = 'A percent from 0 to 100, such as 20 or 12.5';
    if (Object.values(next).some(Boolean)) return setErrors(next);

    // The percent goes as the typed string: the server turns it into exact basis points.
    const body: NewEligibilityCheck = {
      patientId,
      coinsurancePercent: percent,
      deductibleRemainingCents: cents.deductibleRemaining!,
      oopRemainingCents: cents.oopRemaining!,
    };
    if (cents.copay !== null) body.copayCents = cents.copay;
    if (cents.deductibleTotal !== null) body.deductibleTotalCents = cents.deductibleTotal;
    if (cents.oopTotal !== null) body.oopTotalCents = cents.oopTotal;
    record.mutate(body, {
      onSuccess: () => {
        notifications.show({ color: 'green', title: 'Eligibility recorded', message: 'The check is on the patient’s list.' });
        onDone();
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Record eligibility check">
      <Stack gap="md">
        <MutationError error={record.error} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {amount('copay', 'Copay', 'Optional: per visit')}
          <TextInput
            label="Coinsurance %"
            description="The patient's share, e.g. 20 or 12.5"
            required
            inputMode="decimal"
            autoComplete="off"
            rightSection="%"
            value={coinsurance}
            onChange={(e) => {
              setCoinsurance(e.currentTarget.value);
              setErrors((x) => ({ ...x, coinsurance: undefined }));
            }}
            error={errors.coinsurance}
          />
          {amount('deductibleRemaining', 'Deductible remaining')}
          {amount('deductibleTotal', 'Deductible total', 'Optional')}
          {amount('oopRemaining', 'Out-of-pocket remaining')}
          {amount('oopTotal', 'Out-of-pocket total', 'Optional')}
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={record.isPending}>
            Record check
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
