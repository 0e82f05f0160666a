import { Button, Code, CopyButton, Group, Modal, MultiSelect, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { describeError } from '../../api/describe-error';
import { ErrorState } from '../../ui/states';
import { useCreateWebhookEndpoint, useUpdateWebhookEndpoint, useWebhookEventTypes, type WebhookEndpoint, type WebhookEndpointWithSecret } from './webhooks-api';

/** The event filter choices: everything, each group ("payment.*"), each event type. */
function useEventOptions() {
  const types = useWebhookEventTypes();
  return useMemo(() => {
    const list = types.data?.items ?? [];
    const groups = [...new Set(list.map((t) => t.type.split('.')[0]!))];
    return [
      { group: 'All', items: [{ value: '*', label: 'Every event (*)' }] },
      { group: 'Groups', items: groups.map((g) => ({ value: `${g}.*`, label: `Every ${g} event (${g}.*)` })) },
      { group: 'Events', items: list.map((t) => ({ value: t.type, label: t.type })) },
    ];
  }, [types.data]);
}

interface Props {
  /** null: closed; 'new': create; an endpoint: edit it. */
  endpoint: WebhookEndpoint | 'new' | null;
  onClose: () => void;
  onCreated: (created: WebhookEndpointWithSecret) => void;
}

export function WebhookEndpointDialog({ endpoint, onClose, onCreated }: Props) {
  const create = useCreateWebhookEndpoint();
  const update = useUpdateWebhookEndpoint();
  const options = useEventOptions();
  const editing = endpoint !== null && endpoint !== 'new' ? endpoint : null;
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [enabled, setEnabled] = useState(true);

  useEffect(() => {
    setUrl(editing?.url ?? '');
    setDescription(editing?.description ?? '');
    setEvents(editing?.events ?? []);
    setEnabled(editing?.enabled ?? true);
    create.reset();
    update.reset();
    // Reset the form when another endpoint (or a new one) opens.
  }, [endpoint]);

  const mutation = editing ? update : create;
  const submit = () => {
    if (editing) {
      update.mutate({ id: editing.id, body: { url, description, events, enabled } }, { onSuccess: onClose });
    } else {
      create.mutate({ url, description, events, enabled }, { onSuccess: (created) => onCreated(created) });
    }
  };

  return (
    <Modal opened={endpoint !== null} onClose={onClose} title={editing ? 'Edit webhook endpoint' : 'Add webhook endpoint'} size="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput label="URL" placeholder="https://example.com/ledger-webhooks" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <MultiSelect label="Events" required data={options} value={events} onChange={setEvents} searchable placeholder="Choose events" />
          <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          {mutation.isError ? <ErrorState {...describeError(mutation.error)} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={mutation.isPending} disabled={!url || events.length === 0}>
              {editing ? 'Save' : 'Add endpoint'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The signing secret, shown once after create or roll: it cannot be read again. */
export function WebhookSecretDialog({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title="Signing secret" size="lg">
      <Stack>
        <Text size="sm">
          Copy this secret now and store it with the receiver: it is shown only this once. The receiver checks the{' '}
          <Code>Ledger-Signature</Code> header with it.
        </Text>
        <Code block data-testid="webhook-secret">
          {secret}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={secret ?? ''}>{({ copied, copy }) => <Button variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
