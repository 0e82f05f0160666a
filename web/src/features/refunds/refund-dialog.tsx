import { Card, List, SegmentedControl, Select, Switch, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { NewRefund, Payment, RefundReason } from '../../api/types';
import { AmountDialog, AmountForm, amountProblem, DialogActions } from '../../ui/amount-dialog';
import { DollarsInput } from '../../ui/dollars-input';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { statusAfterRefund } from '../../../../src/contracts/rules.ts';
import { methodLabel, statusLabel } from '../payments/labels';
import { reasonLabels, refundActionLabel, refundReasons } from './labels';
import { useRefundPayment } from './refunds-api';
import { MutationError } from '../../ui/mutation-error';

type Kind = 'full' | 'partial';

const reasonOptions = refundReasons.map((r) => ({ value: r, label: reasonLabels[r] }));

export function isRefundable(payment: Pick<Payment, 'status' | 'refundableCents'>): boolean {
  // The server's refundableCents already follows the refund rules (status and remaining amount).
  return payment.refundableCents > 0;
}

interface Props {
  payment: Payment;
  opened: boolean;
  onClose: () => void;
}

/**
 * Refund a Paid or Partially Refunded payment in full or in part (SPEC section
 * 4): card payments back through the processor, cash and check recorded as
 * refunded, or the amount kept as patient credit. The summary says what will
 * happen before anything is sent.
 */
export function RefundDialog({ payment, opened, onClose }: Props) {
  const action = refundActionLabel(payment);
  return (
    <AmountDialog subject={opened} onClose={onClose} title={`${action} ${payment.number}`} size="lg">
      {() => <RefundForm payment={payment} onDone={onClose} />}
    </AmountDialog>
  );
}

function RefundForm({ payment, onDone }: { payment: Payment; onDone: () => void }) {
  const refund = useRefundPayment(payment.id);
  const idempotency = useIdempotencyKey();
  // The server's figure: it also counts refunds still with the processor.
  const remaining = payment.refundableCents;
  const [kind, setKind] = useState<Kind>('full');
  const [amountCents, setAmountCents] = useState<number | null>(null);
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState<(typeof refundReasons)[number] | null>(null);
  const [notes, setNotes] = useState('');
  const [asCredit, setAsCredit] = useState(false);
  const [errors, setErrors] = useState<{ amount?: string; reason?: string }>({});

  const refundCents = kind === 'full' ? remaining : amountCents;
  const validAmount = refundCents !== null && refundCents >= 1 && refundCents <= remaining;
  const throughProcessor = payment.chargedThroughProcessor;

  const validate = () => {
    const next: { amount?: string; reason?: string } = {};
    if (kind === 'partial') {
      const amount =
        amountCents === null
          ? amountText.trim()
            ? 'Enter an amount like 12.34'
            : 'Enter the amount to refund'
          : amountProblem(amountCents, [{ cents: remaining, message: `At most ${formatCents(remaining)} remains to refund` }], 'A refund is at least $0.01');
      if (amount) next.amount = amount;
    }
    if (!reason) next.reason = 'Choose a reason';
    return next;
  };

  const submit = () => {
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0 || !reason || refundCents === null) return;
    const body: NewRefund = kind === 'full' ? { full: true, reason } : { amountCents: refundCents, reason };
    if (notes.trim()) body.notes = notes.trim();
    if (asCredit) body.asCredit = true;
    refund.mutate(
      { body, idempotencyKey: idempotency.keyFor(body) },
      {
        onSuccess: (result) => {
          notifications.show({
            color: 'green',
            title: `${result.payment.number} is ${statusLabel(result.payment.status)}`,
            message: `${formatCents(result.amountCents)} ${result.method === 'credit' ? 'issued as patient credit' : 'refunded'}.`,
          });
          onDone();
        },
      },
    );
  };
  const after = validAmount ? payment.refundedCents + refundCents : null;
  const statusAfter = after === null ? null : statusLabel(statusAfterRefund(payment.amountCents, after));
  const unappliedAfter = validAmount ? payment.billing.unappliedCents - refundCents : null;

  return (
    <AmountForm onSubmit={submit} label="Refund">
      <Text size="sm">
        {payment.patientName} · paid {formatCents(payment.amountCents)} by {methodLabel(payment.method).toLowerCase()}
        {payment.refundedCents > 0 ? ` · already refunded ${formatCents(payment.refundedCents)}` : ''} ·{' '}
        <strong>{formatCents(remaining)} can be refunded</strong>
      </Text>
      <MutationError error={refund.error} />
      <SegmentedControl
        aria-label="Refund amount"
        value={kind}
        onChange={(value) => {
          setKind(value as Kind);
          setErrors((e) => ({ ...e, amount: undefined }));
        }}
        data={[
          { value: 'full', label: `Full (${formatCents(remaining)})` },
          { value: 'partial', label: 'Partial' },
        ]}
        style={{ alignSelf: 'flex-start' }}
      />
      {kind === 'partial' ? (
        <DollarsInput
          label="Amount to refund"
          description={`From $0.01 up to ${formatCents(remaining)}`}
          required
          data-autofocus
          cents={amountCents}
          onChange={(cents, raw) => {
            setAmountCents(cents);
            setAmountText(raw);
            setErrors((e) => ({ ...e, amount: undefined }));
          }}
          error={errors.amount}
        />
      ) : null}
      <Select
        label="Reason"
        placeholder="Why is it refunded?"
        required
        data={reasonOptions}
        value={reason}
        onChange={(value) => {
          setReason(value as (typeof refundReasons)[number] | null);
          setErrors((e) => ({ ...e, reason: undefined }));
        }}
        error={errors.reason}
        allowDeselect={false}
      />
      <Textarea label="Notes" autosize minRows={2} maxLength={2000} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
      <Switch
        label="Issue as credit"
        description="Keep the money for the patient as credit instead of giving it back"
        checked={asCredit}
        onChange={(event) => setAsCredit(event.currentTarget.checked)}
      />
      <Card withBorder padding="sm" bg={asCredit ? 'blue.0' : 'gray.0'} data-testid="refund-summary" aria-label="What will happen" component="section">
        <Text size="sm" fw={600} mb={4}>
          What will happen
        </Text>
        {validAmount ? (
          <List size="sm" spacing={2}>
            <List.Item>
              {asCredit
                ? `${formatCents(refundCents)} becomes patient credit for ${payment.patientName}; no money goes back.`
                : throughProcessor
                  ? `${formatCents(refundCents)} goes back to the card through the payment processor (recorded as refunded if the card was not charged here).`
                  : `${formatCents(refundCents)} is recorded as refunded by ${methodLabel(payment.method).toLowerCase()}.`}
            </List.Item>
            <List.Item>
              {payment.number} becomes <strong>{statusAfter}</strong>
              {after !== null && after < payment.amountCents
                ? `; ${formatCents(payment.amountCents - after)} will remain refundable.`
                : '.'}
            </List.Item>
            {unappliedAfter !== null && unappliedAfter < 0 ? (
              <List.Item>
                Its applications stay: it will be over-applied by {formatCents(-unappliedAfter)} and listed in the
                Over-applied work list until it is unapplied.
              </List.Item>
            ) : null}
          </List>
        ) : (
          <Text size="sm">Enter an amount to see what will happen.</Text>
        )}
      </Card>
      <DialogActions onCancel={onDone} cancelDisabled={refund.isPending} submitLabel="Confirm Refund" color="red" loading={refund.isPending} />
    </AmountForm>
  );
}
