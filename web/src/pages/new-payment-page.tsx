import { Anchor, Card, Stack, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { NewPaymentForm } from '../features/payments/new-payment-form';

function centsParam(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

export function NewPaymentPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const defaults = {
    patientId: search.get('patientId'),
    amountCents: centsParam(search.get('amountCents')),
    treatmentId: search.get('treatmentId'),
  };
  const back = defaults.treatmentId
    ? `/treatments/${defaults.treatmentId}`
    : defaults.patientId
      ? `/patients/${defaults.patientId}`
      : '/payments';

  return (
    <Stack gap="md" maw={820}>
      <Anchor component={Link} to={back} size="sm">
        ← Back
      </Anchor>
      <Title order={2}>New payment</Title>
      <Card withBorder padding="lg">
        <NewPaymentForm
          defaults={defaults}
          onCreated={(payment) => {
            notifications.show({ color: 'green', title: `${payment.number} created`, message: payment.patientName });
            void navigate(`/payments/${payment.id}`);
          }}
          onCancel={() => void navigate(back)}
        />
      </Card>
    </Stack>
  );
}
