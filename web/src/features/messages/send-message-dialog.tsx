import { Alert, Button, Group, Modal, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/describe-error';
import { formatInstant } from '../../ui/dates';
import { useSendMessage, type SendTarget } from './messages-api';

const titles: Record<SendTarget['kind'], string> = { receipt: 'Send receipt', link: 'Send payment link', statement: 'Send statement', refund_receipt: 'Send refund receipt' };

interface SendMessageDialogProps {
  opened: boolean;
  onClose: () => void;
  target: SendTarget;
  patient: { id: string; email: string | null; phone: string | null };
}

/** Email or text a receipt (of a payment or a refund), statement or payment link; "To" starts as the address on file. */
export function SendMessageDialog({ opened, onClose, target, patient }: SendMessageDialogProps) {
  const send = useSendMessage(target, patient.id);
  const [channel, setChannel] = useState<'email' | 'sms'>(patient.email || !patient.phone ? 'email' : 'sms');
  const onFile = (c: 'email' | 'sms') => (c === 'email' ? patient.email : patient.phone) ?? '';
  const [to, setTo] = useState(onFile(channel));
  const failure = send.error ? describeError(send.error) : null;

  const chooseChannel = (value: string) => {
    const next = value === 'sms' ? 'sms' : 'email';
    setChannel(next);
    setTo(onFile(next));
    send.reset();
  };
  const close = () => {
    send.reset();
    onClose();
  };
  const submit = () => {
    const typed = to.trim();
    // Unchanged: let the server use (and normalise) what is on file.
    send.mutate(typed === onFile(channel) ? { channel } : { channel, to: typed }, {
      onSuccess: (queued) => {
        const held = Date.parse(queued.notBefore) > Date.now() + 60_000;
        notifications.show({
          color: 'green',
          title: channel === 'email' ? 'Email queued' : 'Text queued',
          message: held ? `Quiet hours at the practice: it goes out at ${formatInstant(queued.notBefore)}.` : `It goes out in a moment to ${typed}.`,
        });
        close();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={close} title={titles[target.kind]} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack gap="sm">
          <SegmentedControl
            aria-label="Channel"
            value={channel}
            onChange={chooseChannel}
            data={[
              { value: 'email', label: 'Email' },
              { value: 'sms', label: 'Text (SMS)' },
            ]}
          />
          <TextInput
            label={channel === 'email' ? 'Email address' : 'Mobile number'}
            description={channel === 'sms' ? 'Texts go out between 8 am and 9 pm practice time; they carry only the first name and the amount.' : undefined}
            placeholder={channel === 'email' ? 'name@example.com' : '+15550102000'}
            value={to}
            onChange={(event) => setTo(event.currentTarget.value)}
            type={channel === 'email' ? 'email' : 'tel'}
            required
            data-autofocus
          />
          {failure ? (
            <Alert color="red" title={failure.title} role="alert">
              {failure.message}
            </Alert>
          ) : null}
          <Text size="xs" c="dimmed">
            {target.kind === 'link' ? 'Sends the live payment link, or makes one (valid 14 days) if there is none.' : channel === 'email' ? 'The PDF is attached.' : null}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={send.isPending} disabled={!to.trim()}>
              Send
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
