import { ActionIcon, Anchor, Badge, Button, Card, CopyButton, Group, NumberInput, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { PaymentDetail } from '../../api/types';
import { DateTime } from '../../ui/dates';
import { useCreateLink } from './payments-api';
import { MutationError } from '../../ui/mutation-error';

// A link only makes sense while the payment still waits for money.
const PAYABLE = new Set(['draft', 'pending', 'failed']);

export function PaymentLinkCard({ payment, canCreate }: { payment: PaymentDetail; canCreate: boolean }) {
  const create = useCreateLink(payment.id);
  const [days, setDays] = useState<number>(7);
  const link = payment.link;
  const expired = link ? new Date(link.expiresAt).getTime() < Date.now() : false;
  const payable = PAYABLE.has(payment.status);

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="link-title">
      <Title order={2} size="h4" id="link-title" mb="sm">
        Payment link
      </Title>
      <Stack gap="sm">
        {link ? (
          <Stack gap={4}>
            <Group gap="xs" wrap="nowrap" align="center">
              <Anchor href={link.url} target="_blank" rel="noreferrer" size="sm" style={{ wordBreak: 'break-all' }} data-testid="payment-link-url">
                {link.url}
              </Anchor>
              <CopyButton value={link.url} timeout={2000}>
                {({ copied, copy }) => (
                  <Tooltip label={copied ? 'Copied' : 'Copy link'} withArrow>
                    <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={copied ? 'Link copied' : 'Copy link'}>
                      <span aria-hidden>{copied ? '✓' : '⧉'}</span>
                    </ActionIcon>
                  </Tooltip>
                )}
              </CopyButton>
            </Group>
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                {expired ? 'Expired' : 'Expires'} <DateTime value={link.expiresAt} />
              </Text>
              {expired ? (
                <Badge color="red" size="xs">
                  Expired
                </Badge>
              ) : null}
            </Group>
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            No link yet.
          </Text>
        )}
        <MutationError error={create.error} />
        {canCreate && payable ? (
          <Group align="flex-end" gap="sm" wrap="wrap">
            <NumberInput
              label="Expires in (days)"
              min={1}
              max={90}
              allowDecimal={false}
              allowNegative={false}
              value={days}
              onChange={(value) => setDays(typeof value === 'number' ? value : Number(value) || 1)}
              w={140}
            />
            <Button variant="light" onClick={() => create.mutate(days)} loading={create.isPending} disabled={days < 1}>
              {link ? 'Create a new link' : 'Create link'}
            </Button>
          </Group>
        ) : !payable ? (
          <Text size="xs" c="dimmed">
            Links can be sent while a payment is draft, pending or failed.
          </Text>
        ) : null}
      </Stack>
    </Card>
  );
}
