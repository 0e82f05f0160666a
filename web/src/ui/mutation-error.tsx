import { Alert } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { describeError } from '../api/describe-error';

/**
 * Why an action failed, where it was asked: the problem+json title and detail in a red alert,
 * nothing while there is no error. Pass the mutation's `error`.
 */
export function MutationError({ error, mb }: { error: unknown; mb?: string }) {
  if (!error) return null;
  const { title, message } = describeError(error);
  return (
    <Alert color="red" title={title} role="alert" mb={mb}>
      {message}
    </Alert>
  );
}

/** The same for an action with no form to show it in (a row's button): a red notification. */
export function notifyFailure(error: unknown) {
  notifications.show({ color: 'red', ...describeError(error) });
}
