import { Alert, Button, Group, Radio, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useRef, useState, type FormEvent } from 'react';
import { isApiError } from '../api/client';
import { describeError } from '../api/describe-error';
import { formatCalendarDate } from '../ui/dates';
import { DollarsInput } from '../ui/dollars-input';
import { formatCents, Money } from '../ui/money';
import { CardEntryForm, type CardCharge } from './card-entry-form';
import { newIdempotencyKey, portalCharge, useLookUpAccount, type PortalAccount, type PortalLookup, type PortalPayResult } from './portal-api';
import { PortalShell } from './portal-shell';

/**
 * The patient portal at /pay (SPEC section 7): the patient enters the date of
 * birth and account ID from their statement, sees the balance with its
 * visits, and pays all or part of it by card. No login; the practice comes
 * from the link on the statement (/pay?practice=slug).
 */
export function PortalPage({ practice: practiceParam }: { practice: string | null }) {
  const practice = practiceParam?.trim().toLowerCase() || undefined;
  const [session, setSession] = useState<{ token: string; account: PortalAccount } | null>(null);
  const [ended, setEnded] = useState<string | null>(null);

  return (
    <PortalShell practiceName={session?.account.practiceName}>
      {session ? (
        <AccountView
          token={session.token}
          account={session.account}
          onAccount={(account) => setSession({ token: session.token, account })}
          onEnd={(why) => {
            setSession(null);
            setEnded(why);
          }}
        />
      ) : (
        <LookupForm
          practice={practice}
          notice={ended}
          onFound={(found: PortalLookup) => {
            setEnded(null);
            setSession({ token: found.portalToken, account: found });
          }}
        />
      )}
    </PortalShell>
  );
}

function LookupForm({ practice, notice, onFound }: { practice: string | undefined; notice: string | null; onFound: (found: PortalLookup) => void }) {
  const lookup = useLookUpAccount();
  const [dateOfBirth, setDateOfBirth] = useState('');
  const [accountId, setAccountId] = useState('');
  const [touched, setTouched] = useState(false);
  const dobError = touched && !/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) ? 'Enter your date of birth' : null;
  const accountError = touched && accountId.trim() === '' ? 'Enter the account ID from your statement' : null;
  const failure = lookup.error ? describeError(lookup.error) : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) || accountId.trim() === '') return;
    lookup.mutate({ dateOfBirth, accountId: accountId.trim(), ...(practice ? { practice } : {}) }, { onSuccess: onFound });
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="lookup-title">
      <Stack gap="md">
        <Stack gap={4}>
          <Title order={2} size="h4" id="lookup-title">
            Find your balance
          </Title>
          <Text size="sm" c="dimmed">
            Enter your date of birth and the account ID printed on your statement.
          </Text>
        </Stack>
        {notice ? (
          <Alert color="yellow" role="status">
            {notice}
          </Alert>
        ) : null}
        <TextInput
          type="date"
          label="Date of birth"
          required
          autoComplete="bday"
          value={dateOfBirth}
          error={dobError}
          onChange={(event) => setDateOfBirth(event.currentTarget.value)}
          max="9999-12-31"
        />
        <TextInput
          label="Account ID"
          required
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          value={accountId}
          error={accountError}
          onChange={(event) => setAccountId(event.currentTarget.value)}
        />
        {failure ? (
          <Alert color="red" title={lookup.error && isApiError(lookup.error) && lookup.error.status === 404 ? 'No match' : failure.title} role="alert">
            {failure.message}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={lookup.isPending}>
            Find my balance
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function AccountView({
  token,
  account,
  onAccount,
  onEnd,
}: {
  token: string;
  account: PortalAccount;
  onAccount: (account: PortalAccount) => void;
  onEnd: (why: string | null) => void;
}) {
  const [mode, setMode] = useState<'full' | 'part'>('full');
  const [partCents, setPartCents] = useState<number | null>(null);
  const [touched, setTouched] = useState(false);
  const [result, setResult] = useState<PortalPayResult | null>(null);
  // One key per intended payment: a resubmission after a lost answer cannot pay twice.
  const idempotencyKey = useRef(newIdempotencyKey());

  const balance = account.balanceCents;
  const amountCents = mode === 'full' ? balance : partCents;
  const amountError =
    touched && mode === 'part'
      ? amountCents === null || amountCents <= 0
        ? 'Enter an amount'
        : amountCents > balance
          ? `At most ${formatCents(balance)}`
          : null
      : null;
  const validAmount = (): number | null => (amountCents !== null && amountCents > 0 && amountCents <= balance ? amountCents : null);

  // The payment a started charge belongs to, for finishing it.
  const startedNumber = useRef<string | null>(null);
  const charge: CardCharge<PortalPayResult> = {
    withNumber: (card) => portalCharge.withNumber({ portalToken: token, amountCents: validAmount() ?? 0, card }, idempotencyKey.current),
    start: async () => {
      const started = await portalCharge.start({ portalToken: token, amountCents: validAmount() ?? 0 }, idempotencyKey.current);
      startedNumber.current = started.paymentNumber;
      return started;
    },
    finish: (chargeReference) => portalCharge.finish({ portalToken: token, paymentNumber: startedNumber.current ?? '', chargeReference }),
  };

  function onResult(paid: PortalPayResult) {
    idempotencyKey.current = newIdempotencyKey();
    setResult(paid);
    onAccount(paid.account);
    if (paid.status === 'paid') {
      setTouched(false);
      setMode('full');
      setPartCents(null);
    }
  }
  function onError(error: unknown) {
    if (isApiError(error) && error.status === 401) onEnd('Your session ended. Enter your details again to continue.');
    else if (isApiError(error) && error.status > 0) idempotencyKey.current = newIdempotencyKey();
  }

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Text size="sm" c="dimmed">
            Hello {account.patientFirstName} · Account {account.accountId}
          </Text>
          <Text size="sm">Balance due</Text>
          <Money cents={balance} fz={32} fw={700} data-testid="portal-balance" />
          {account.creditCents > 0 ? (
            <Text size="sm" c="dimmed">
              You have a credit of {formatCents(account.creditCents)}; the office applies it to your visits.
            </Text>
          ) : null}
        </Stack>
        <Button variant="subtle" size="xs" onClick={() => onEnd(null)}>
          Done
        </Button>
      </Group>

      {result?.status === 'paid' ? (
        <Alert color="teal" title="Thank you!" role="status" data-testid="portal-paid">
          Payment {result.paymentNumber} of {formatCents(result.amountCents)} was received.
        </Alert>
      ) : null}
      {result && result.status !== 'paid' ? (
        <Alert color="red" title="The card was not charged" role="alert">
          {result.failure ?? 'The payment did not go through.'} Nothing was taken; you can try another card.
        </Alert>
      ) : null}

      <Stack gap="xs">
        <Title order={2} size="h5">
          Your visits
        </Title>
        {account.treatments.length === 0 ? (
          <Text size="sm" c="dimmed">
            No visits on this account.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped aria-label="Visits" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Date of service</Table.Th>
                  <Table.Th ta="right">Charges</Table.Th>
                  <Table.Th ta="right">Insurance paid</Table.Th>
                  <Table.Th ta="right">Your share</Table.Th>
                  <Table.Th ta="right">Paid</Table.Th>
                  <Table.Th ta="right">Balance</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {account.treatments.map((t, i) => (
                  <Table.Tr key={`${t.serviceDate}-${i}`}>
                    <Table.Td>
                      {formatCalendarDate(t.serviceDate)}
                      {t.insurancePending ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          (insurance pending)
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={t.chargeCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={t.insurancePaidCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={t.patientResponsibilityCents} />
                    </Table.Td>
                    <Table.Td ta="right">
                      <Money cents={t.paidCents} />
                    </Table.Td>
                    <Table.Td ta="right" fw={t.balanceCents > 0 ? 600 : undefined}>
                      <Money cents={t.balanceCents} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>

      {balance > 0 ? (
        <Stack gap="md">
          <Title order={2} size="h5" id="pay-title">
            Pay
          </Title>
          <CardEntryForm
            amountCents={validAmount() ?? balance}
            submitLabel={amountCents && amountCents > 0 && amountCents <= balance ? `Pay ${formatCents(amountCents)}` : 'Pay'}
            validate={() => {
              setTouched(true);
              setResult(null);
              return validAmount() !== null;
            }}
            charge={charge}
            onResult={onResult}
            onError={onError}
            ariaLabelledBy="pay-title"
          >
            <Radio.Group value={mode} onChange={(value) => setMode(value === 'part' ? 'part' : 'full')} label="Amount">
              <Stack gap="xs" mt={4}>
                <Radio value="full" label={`The full balance, ${formatCents(balance)}`} />
                <Radio value="part" label="Another amount" />
              </Stack>
            </Radio.Group>
            {mode === 'part' ? (
              <DollarsInput label="Amount to pay" required cents={partCents} onChange={(cents) => setPartCents(cents)} error={amountError} maw={220} />
            ) : null}
          </CardEntryForm>
        </Stack>
      ) : (
        <Text size="sm">Nothing is due right now. Thank you!</Text>
      )}
    </Stack>
  );
}
