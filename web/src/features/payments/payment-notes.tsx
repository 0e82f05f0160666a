import { Button, Card, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { DateTime } from '../../ui/dates';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { useAddNote, useNotes } from './payments-api';
import { MutationError } from '../../ui/mutation-error';

export function PaymentNotes({ paymentId }: { paymentId: string }) {
  const notes = useNotes(paymentId);
  const add = useAddNote(paymentId);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) {
      setError('Write the note first');
      return;
    }
    add.mutate(text.trim(), { onSuccess: () => setText('') });
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="notes-title">
      <Title order={2} size="h4" id="notes-title" mb="sm">
        Notes
      </Title>
      <Stack gap="sm">
        {notes.isPending ? (
          <LoadingState label="Loading notes…" />
        ) : notes.isError ? (
          <QueryError query={notes} />
        ) : notes.data.items.length === 0 ? (
          <EmptyState title="No notes yet" />
        ) : (
          <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Notes">
            {notes.data.items.map((note) => (
              <li key={note.id}>
                <Card withBorder padding="xs" radius="sm">
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {note.text}
                  </Text>
                  <Text size="xs" c="dimmed" mt={4}>
                    {note.authorName} · <DateTime value={note.createdAt} />
                  </Text>
                </Card>
              </li>
            ))}
          </Stack>
        )}
        <form onSubmit={submit} noValidate aria-label="Add a note">
          <Stack gap="xs">
            <MutationError error={add.error} />
            <Textarea
              label="New note"
              autosize
              minRows={2}
              maxLength={5000}
              value={text}
              error={error}
              onChange={(event) => {
                setText(event.currentTarget.value);
                setError(null);
              }}
            />
            <Group justify="flex-end">
              <Button type="submit" variant="light" loading={add.isPending}>
                Add note
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}
