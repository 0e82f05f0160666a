import { Button, Group, Modal, Stack, type ButtonProps, type ModalProps } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';

/** An upper bound on an amount and what to say when it is passed. */
export interface AmountLimit {
  cents: number;
  message: string;
}

export const AT_LEAST_A_CENT = 'Enter an amount of at least $0.01';

/**
 * What is wrong with an amount, or undefined when it may be sent: at least one cent, then the first limit it passes.
 * Limits that do not apply yet (no lot or visit chosen) may be passed as null or false.
 */
export function amountProblem(
  cents: number | null,
  limits: readonly (AmountLimit | null | false)[] = [],
  tooSmall: string = AT_LEAST_A_CENT,
): string | undefined {
  if (cents === null || cents < 1) return tooSmall;
  for (const limit of limits) if (limit && cents > limit.cents) return limit.message;
  return undefined;
}

interface AmountDialogProps<T> {
  /** What the dialog acts on; it is open while this is neither null nor false. */
  subject: T | null | false;
  onClose: () => void;
  title: string;
  size?: ModalProps['size'];
  /** The form, mounted only while open: every opening starts fresh state and a fresh Idempotency-Key. */
  children: (subject: T) => ReactNode;
}

/** The one shell of a money dialog: a centred Modal whose content exists only while it is open. */
export function AmountDialog<T>({ subject, onClose, title, size, children }: AmountDialogProps<T>) {
  const open = subject !== null && subject !== false;
  return (
    <Modal opened={open} onClose={onClose} title={title} size={size} centered>
      {open ? children(subject) : null}
    </Modal>
  );
}

/** The dialog's form: the browser's own validation off (ours speaks in dollars), the default submit prevented. */
export function AmountForm({ label, onSubmit, children }: { label: string; onSubmit: () => void; children: ReactNode }) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit} noValidate aria-label={label}>
      <Stack gap="md">{children}</Stack>
    </form>
  );
}

interface DialogActionsProps {
  onCancel: () => void;
  cancelLabel?: string;
  cancelDisabled?: boolean;
  submitLabel: ReactNode;
  /** Without it the button submits the surrounding form. */
  onSubmit?: () => void;
  loading?: boolean;
  disabled?: boolean;
  color?: ButtonProps['color'];
}

/** The footer of every money dialog: a way out, then the button that names the action. */
export function DialogActions({ onCancel, cancelLabel = 'Cancel', cancelDisabled, submitLabel, onSubmit, loading, disabled, color }: DialogActionsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel} disabled={cancelDisabled}>
        {cancelLabel}
      </Button>
      <Button type={onSubmit ? 'button' : 'submit'} onClick={onSubmit} loading={loading} disabled={disabled} color={color}>
        {submitLabel}
      </Button>
    </Group>
  );
}
