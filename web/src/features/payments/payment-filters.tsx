import { Button, Group, MultiSelect, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { PaymentStatus } from '../../api/types';
import { paymentStatuses, statusLabels } from './labels';
import type { PaymentListParams } from './list-params';
import { ExportLink } from '../../ui/export-link';
import { paymentsExportUrl, useLocations } from './payments-api';

const statusOptions = paymentStatuses.map((status) => ({ value: status, label: statusLabels[status] }));

// The option lists exist only while open: Mantine keeps a closed one mounted (hidden) and positions it as the
// page mounts, a forced style and layout pass and a second render before the list's first paint (ADR 0039).
const closedListUnmounted = { keepMounted: false } as const;

export interface PaymentFiltersProps {
  params: PaymentListParams;
  onChange: (changes: Partial<PaymentListParams>) => void;
  canExport: boolean;
}

export function PaymentFilters({ params, onChange, canExport }: PaymentFiltersProps) {
  const locations = useLocations();
  const [search, setSearch] = useState(params.search);
  const pushSearch = useDebouncedCallback((value: string) => onChange({ search: value, page: 1 }), 300);

  // Follow the URL when it changes from elsewhere (back button, a cleared filter).
  useEffect(() => setSearch(params.search), [params.search]);

  const filtered = params.status.length > 0 || params.locationId !== null || params.search !== '';

  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Payment number or patient"
        type="search"
        value={search}
        onChange={(event) => {
          setSearch(event.currentTarget.value);
          pushSearch(event.currentTarget.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') onChange({ search, page: 1 });
        }}
        style={{ flex: '1 1 14rem' }}
      />
      <MultiSelect
        label="Status"
        placeholder={params.status.length ? undefined : 'All statuses'}
        data={statusOptions}
        value={params.status}
        onChange={(value) => onChange({ status: value as PaymentStatus[], page: 1 })}
        clearable
        searchable
        comboboxProps={{ ...closedListUnmounted, withinPortal: true }}
        style={{ flex: '1 1 16rem' }}
      />
      <Select
        label="Location"
        placeholder={locations.isError ? 'Locations unavailable' : 'All locations'}
        data={(locations.data?.items ?? []).map((location) => ({ value: location.id, label: location.name }))}
        value={params.locationId}
        onChange={(value) => onChange({ locationId: value, page: 1 })}
        clearable
        comboboxProps={closedListUnmounted}
        disabled={locations.isError}
        style={{ flex: '1 1 12rem' }}
      />
      {filtered ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            onChange({ status: [], locationId: null, search: '', page: 1 });
          }}
        >
          Clear filters
        </Button>
      ) : null}
      {canExport ? (
        <ExportLink href={paymentsExportUrl(params)} label="payments" />
      ) : null}
    </Group>
  );
}
