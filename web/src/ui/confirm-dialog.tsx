import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { MutationError } from './mutation-error';

interface ConfirmDialogProps<T> {
  /** What is being confirmed; the dialog is open while it is not null. */
  subject: T | null;
  title: string;
  /** What will happen, said of the subject. */
  children: (subject: T) => ReactNode;
  confirmLabel: (subject: T) => string;
  cancelLabel?: string;
  onConfirm: (subject: T) => void;
  onCancel: () => void;
  loading?: boolean;
  /** The action's failure, shown in the dialog. */
  error?: unknown;
}

/** The one "are you sure?" of a destructive action: what it does, a way out, and a red button naming the action. */
export function ConfirmDialog<T>({ subject, title, children, confirmLabel, cancelLabel = 'Cancel', onConfirm, onCancel, loading, error }: ConfirmDialogProps<T>) {
  return (
    <Modal opened={subject !== null} onClose={onCancel} title={title} centered>
      {subject !== null ? (
        <Stack>
          <Text size="sm">{children(subject)}</Text>
          <MutationError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel}>
              {cancelLabel}
            </Button>
            <Button color="red" loading={loading} onClick={() => onConfirm(subject)}>
              {confirmLabel(subject)}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
