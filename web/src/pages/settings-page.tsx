import { Alert, Button, Card, Group, NumberInput, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useState } from 'react';
import { describeError } from '../api/describe-error';
import { HistoryPanel } from '../features/audit/history-panel';
import { can } from '../features/auth/permissions';
import { useCurrentSession } from '../features/auth/use-current-session';
import { usePracticeSettings, useUpdatePracticeSettings } from '../features/practice/practice-api';
import { LoadingState, QueryError } from '../ui/states';

/** The IANA names this browser knows; the server validates whatever is sent. */
function timeZoneNames(current: string): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([current, 'UTC', ...supported])].sort();
}

/** Practice settings: name, time zone, refund review days, statement message (admins change them; everyone can see them). */
export function SettingsPage() {
  const { user } = useCurrentSession();
  const practice = usePracticeSettings();
  const update = useUpdatePracticeSettings();
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState<string | null>(null);
  const [refundReviewDays, setRefundReviewDays] = useState<string | number>('');
  const [statementMessage, setStatementMessage] = useState('');
  const editable = can(user.role, 'practice:write');

  useEffect(() => {
    if (practice.data) {
      setName(practice.data.name);
      setTimeZone(practice.data.timeZone);
      setRefundReviewDays(practice.data.refundReviewDays);
      setStatementMessage(practice.data.statementMessage ?? '');
    }
  }, [practice.data]);
  const zones = useMemo(() => timeZoneNames(practice.data?.timeZone ?? 'America/New_York'), [practice.data?.timeZone]);

  if (practice.isPending) return <LoadingState label="Loading the practice settings" />;
  if (practice.isError) return <QueryError query={practice} />;
  const reviewDays = typeof refundReviewDays === 'number' ? refundReviewDays : null;
  const reviewDaysError = reviewDays === null || reviewDays < 1 || reviewDays > 365 ? 'From 1 to 365 days' : null;
  const changed =
    name.trim() !== practice.data.name ||
    (timeZone ?? practice.data.timeZone) !== practice.data.timeZone ||
    reviewDays !== practice.data.refundReviewDays ||
    statementMessage.trim() !== (practice.data.statementMessage ?? '');

  return (
    <Stack gap="md" maw={560}>
      <Title order={2}>Settings</Title>
      <Card withBorder padding="md" component="section" aria-labelledby="practice-settings-title">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (reviewDaysError || reviewDays === null) return;
            update.mutate(
              { name: name.trim(), ...(timeZone ? { timeZone } : {}), refundReviewDays: reviewDays, statementMessage: statementMessage.trim() || null },
              { onSuccess: () => notifications.show({ color: 'teal', message: 'Practice settings saved.' }) },
            );
          }}
        >
          <Stack gap="sm">
            <Title order={3} size="h4" id="practice-settings-title">
              Practice
            </Title>
            <TextInput label="Practice name" value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!editable} required />
            <Select
              label="Time zone"
              description="Paid dates, overdue flags, dashboard months, refund review and statement dates follow this calendar."
              data={zones}
              value={timeZone}
              onChange={setTimeZone}
              searchable
              allowDeselect={false}
              disabled={!editable}
              data-testid="practice-time-zone"
            />
            <NumberInput
              label="Refund review days"
              description="How long after a visit's last claim is processed the refund review waits before opening a refund-owed task."
              min={1}
              max={365}
              allowDecimal={false}
              value={refundReviewDays}
              onChange={setRefundReviewDays}
              error={editable ? reviewDaysError : null}
              disabled={!editable}
              w={220}
            />
            <Textarea
              label="Statement message"
              description="Printed on every patient statement (office hours, payment plans). Leave empty for none."
              maxLength={500}
              autosize
              minRows={2}
              value={statementMessage}
              onChange={(e) => setStatementMessage(e.currentTarget.value)}
              disabled={!editable}
            />
            {update.isError && (
              <Alert color="red" title={describeError(update.error).title}>
                {describeError(update.error).message}
              </Alert>
            )}
            {editable ? (
              <Group justify="flex-end">
                <Button type="submit" loading={update.isPending} disabled={!changed || reviewDaysError !== null}>
                  Save
                </Button>
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                Only an admin can change these.
              </Text>
            )}
          </Stack>
        </form>
      </Card>
      {can(user.role, 'audit:read') ? <HistoryPanel entityType="practice" entityId={practice.data.id} /> : null}
    </Stack>
  );
}
