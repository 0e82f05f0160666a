import { Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Task } from '../../api/types';
import { AmountDialog, DialogActions } from '../../ui/amount-dialog';
import { formatCents } from '../../ui/money';
import { useIdempotencyKey } from '../ledger/idempotency';
import { useDismissTask } from './tasks-api';
import { MutationError } from '../../ui/mutation-error';

export function DismissTaskDialog({ task, onClose }: { task: Task | null; onClose: () => void }) {
  return (
    <AmountDialog subject={task} onClose={onClose} title="Dismiss without refund?">
      {(owed) => <DismissConfirm task={owed} onDone={onClose} />}
    </AmountDialog>
  );
}

function DismissConfirm({ task, onDone }: { task: Task; onDone: () => void }) {
  const dismiss = useDismissTask();
  const idempotency = useIdempotencyKey();
  return (
    <Stack gap="md">
      <Text size="sm">
        No money goes back. The <strong>{formatCents(task.amountCents)}</strong> stays with {task.patientName} as patient
        credit and pays their future visits.
      </Text>
      <MutationError error={dismiss.error} />
      <DialogActions
        onCancel={onDone}
        cancelLabel="Keep the task"
        submitLabel="Keep as credit"
        color="orange"
        loading={dismiss.isPending}
        onSubmit={() =>
          dismiss.mutate(
            { taskId: task.id, idempotencyKey: idempotency.keyFor({ dismiss: task.id }) },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', title: 'Task dismissed', message: `${formatCents(task.amountCents)} kept as credit.` });
                onDone();
              },
            },
          )
        }
      />
    </Stack>
  );
}
