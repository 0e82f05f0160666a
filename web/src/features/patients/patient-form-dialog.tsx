import { Alert, Button, Group, Modal, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useEffect, useState, type FormEvent } from 'react';
import type { Coverage, Patient, PatientDetail } from '../../api/types';
import { describeError } from '../../api/describe-error';
import { useSavePatient, useSetCoverages } from './patient-edit-api';

const orderNames = ['Primary', 'Secondary', 'Tertiary'] as const;

interface CoverageRow {
  payerName: string;
  payerId: string;
  memberId: string;
  planName: string;
}

const emptyRow: CoverageRow = { payerName: '', payerId: '', memberId: '', planName: '' };

interface Props {
  opened: boolean;
  onClose: () => void;
  /** Edit this patient; without it the dialog registers a new one. */
  patient?: PatientDetail;
  onSaved: (patient: Patient) => void;
}

/** A patient's own fields and coverages (primary, secondary, tertiary): register or edit. */
export function PatientFormDialog({ opened, onClose, patient, onSaved }: Props) {
  const save = useSavePatient();
  const setCoverages = useSetCoverages();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [dateOfBirth, setDateOfBirth] = useState<string | null>(null);
  const [accountId, setAccountId] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [rows, setRows] = useState<CoverageRow[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  // A new patient saved whose coverages were then refused: a retry edits that patient instead of registering a second.
  const [savedId, setSavedId] = useState<string | null>(null);

  useEffect(() => {
    if (!opened) return;
    save.reset();
    setCoverages.reset();
    setSavedId(null);
    setErrors({});
    setFirstName(patient?.firstName ?? '');
    setLastName(patient?.lastName ?? '');
    setDateOfBirth(patient?.dateOfBirth ?? null);
    setAccountId(patient?.accountId ?? '');
    setEmail(patient?.email ?? '');
    setPhone(patient?.phone ?? '');
    setRows(
      [...(patient?.coverages ?? [])]
        .sort((a, b) => a.order - b.order)
        .map((c) => ({ payerName: c.payerName, payerId: c.payerId, memberId: c.memberId, planName: c.planName ?? '' })),
    );
    // Reset only when the dialog opens, not when the patient refetches under it.
  }, [opened]);

  const coverageList = (): Coverage[] =>
    rows.map((r, i) => ({
      order: (i + 1) as 1 | 2 | 3,
      payerName: r.payerName.trim(),
      payerId: r.payerId.trim(),
      memberId: r.memberId.trim(),
      ...(r.planName.trim() ? { planName: r.planName.trim() } : {}),
    }));
  const coveragesChanged = () => {
    const before = [...(patient?.coverages ?? [])].sort((a, b) => a.order - b.order).map((c) => [c.payerName, c.payerId, c.memberId, c.planName ?? '']);
    const after = coverageList().map((c) => [c.payerName, c.payerId, c.memberId, c.planName ?? '']);
    return JSON.stringify(before) !== JSON.stringify(after);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!firstName.trim()) found.firstName = 'Enter the first name';
    if (!lastName.trim()) found.lastName = 'Enter the last name';
    if (!dateOfBirth) found.dateOfBirth = 'Enter the date of birth';
    if (accountId.trim() && !/^[A-Za-z0-9-]{1,32}$/.test(accountId.trim())) found.accountId = 'Letters, digits and dashes';
    if (email.trim() && !/^\S+@\S+\.\S+$/.test(email.trim())) found.email = 'Enter an email address';
    rows.forEach((r, i) => {
      if (!r.payerName.trim()) found[`payerName${i}`] = 'Enter the payer';
      if (!r.payerId.trim()) found[`payerId${i}`] = 'Enter the payer ID';
      if (!r.memberId.trim()) found[`memberId${i}`] = 'Enter the member ID';
    });
    setErrors(found);
    if (Object.keys(found).length > 0 || !dateOfBirth) return;

    const id = savedId ?? patient?.id ?? null;
    const fields = id
      ? {
          firstName: firstName.trim(),
          lastName: lastName.trim(),
          dateOfBirth,
          ...(accountId.trim() ? { accountId: accountId.trim() } : {}),
          email: email.trim() || null,
          phone: phone.trim() || null,
        }
      : {
          firstName: firstName.trim(),
          lastName: lastName.trim(),
          dateOfBirth,
          ...(accountId.trim() ? { accountId: accountId.trim() } : {}),
          ...(email.trim() ? { email: email.trim() } : {}),
          ...(phone.trim() ? { phone: phone.trim() } : {}),
        };
    try {
      const saved = await save.mutateAsync({ id, fields });
      setSavedId(saved.id);
      if (coveragesChanged()) await setCoverages.mutateAsync({ patientId: saved.id, coverages: coverageList() });
      onSaved(saved);
    } catch {
      // Shown from the mutations' error state below.
    }
  };

  const failure = save.error ?? setCoverages.error;
  const setRow = (index: number, key: keyof CoverageRow, value: string) => setRows((all) => all.map((r, i) => (i === index ? { ...r, [key]: value } : r)));

  return (
    <Modal opened={opened} onClose={onClose} title={patient ? `Edit ${patient.lastName}, ${patient.firstName}` : 'New patient'} size="lg" centered>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={patient ? 'Edit patient' : 'New patient'}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" value={firstName} onChange={(e) => setFirstName(e.currentTarget.value)} error={errors.firstName} required maxLength={100} data-autofocus />
            <TextInput label="Last name" value={lastName} onChange={(e) => setLastName(e.currentTarget.value)} error={errors.lastName} required maxLength={100} />
            <DateInput label="Date of birth" placeholder="YYYY-MM-DD" valueFormat="YYYY-MM-DD" value={dateOfBirth} onChange={setDateOfBirth} error={errors.dateOfBirth} required />
            <TextInput
              label="Account ID"
              description={patient ? undefined : 'Leave empty to have one made'}
              value={accountId}
              onChange={(e) => setAccountId(e.currentTarget.value)}
              error={errors.accountId}
              maxLength={32}
            />
            <TextInput label="Email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errors.email} maxLength={320} />
            <TextInput label="Phone" type="tel" value={phone} onChange={(e) => setPhone(e.currentTarget.value)} maxLength={40} />
          </SimpleGrid>

          <Group justify="space-between" mt="xs">
            <Title order={3} size="h5">
              Coverage
            </Title>
            <Button size="xs" variant="light" disabled={rows.length >= 3} onClick={() => setRows((all) => [...all, { ...emptyRow }])}>
              Add {orderNames[rows.length]?.toLowerCase() ?? ''} coverage
            </Button>
          </Group>
          {rows.length === 0 ? (
            <Text size="sm" c="dimmed">
              Self-pay: no insurance on file.
            </Text>
          ) : null}
          {rows.map((row, i) => (
            <fieldset key={i} style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, padding: '8px 12px' }}>
              <legend style={{ fontWeight: 600, fontSize: 14 }}>{orderNames[i]}</legend>
              {i === rows.length - 1 ? (
                <Group justify="flex-end">
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => setRows((all) => all.slice(0, -1))}>
                    Remove {orderNames[i]!.toLowerCase()} coverage
                  </Button>
                </Group>
              ) : null}
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                <TextInput label={`${orderNames[i]} payer`} value={row.payerName} onChange={(e) => setRow(i, 'payerName', e.currentTarget.value)} error={errors[`payerName${i}`]} required maxLength={200} />
                <TextInput label={`${orderNames[i]} payer ID`} value={row.payerId} onChange={(e) => setRow(i, 'payerId', e.currentTarget.value)} error={errors[`payerId${i}`]} required maxLength={80} />
                <TextInput label={`${orderNames[i]} member ID`} value={row.memberId} onChange={(e) => setRow(i, 'memberId', e.currentTarget.value)} error={errors[`memberId${i}`]} required maxLength={80} />
                <TextInput label={`${orderNames[i]} plan`} value={row.planName} onChange={(e) => setRow(i, 'planName', e.currentTarget.value)} maxLength={200} />
              </SimpleGrid>
            </fieldset>
          ))}

          {failure ? (
            <Alert color="red" title={describeError(failure).title} role="alert">
              {describeError(failure).message}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending || setCoverages.isPending}>
              {patient ? 'Save patient' : 'Register patient'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
