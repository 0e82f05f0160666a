import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import type { Patient } from '../../api/types';
import { formatCalendarDate } from '../../ui/dates';
import { patientName, usePatient, usePatients } from './patients-api';

function optionLabel(patient: Patient): string {
  return `${patientName(patient)} · ${patient.accountId} · born ${formatCalendarDate(patient.dateOfBirth)}`;
}

export interface PatientPickerProps {
  value: string | null;
  onChange: (patientId: string | null) => void;
  error?: string | null;
  disabled?: boolean;
  label?: string;
}

/** Finds a patient by name or account ID as you type (the API searches; nothing is filtered here). */
export function PatientPicker({ value, onChange, error, disabled, label = 'Patient' }: PatientPickerProps) {
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<Patient | null>(null);
  const selected = usePatient(value && picked?.id !== value ? value : null);
  const current: Patient | null = picked?.id === value ? picked : (selected.data ?? null);
  const currentLabel = current ? optionLabel(current) : '';

  // Don't search for the chosen patient's own label.
  const typed = search === currentLabel ? '' : search;
  const [debounced] = useDebouncedValue(typed, 250);
  const results = usePatients({ search: debounced, page: 1, pageSize: 20 }, !disabled);

  // Only results of what is typed now: while the debounce runs or the previous query's list is
  // kept as a placeholder, there are no options, so a fast ArrowDown + Enter cannot pick a stale row.
  const isCurrentQuery = debounced === typed && !results.isPlaceholderData;
  const patients = useMemo(() => {
    const list = isCurrentQuery ? [...(results.data?.items ?? [])] : [];
    // The chosen patient is listed only while its own label is shown, not above another search's results.
    if (current && typed === '' && !list.some((p) => p.id === current.id)) list.unshift(current);
    return list;
  }, [results.data, current, isCurrentQuery, typed]);

  const noResults = results.isError
    ? 'Could not search patients'
    : results.isFetching || !isCurrentQuery
      ? 'Searching…'
      : 'No patient matches';

  return (
    <Select
      label={label}
      placeholder="Search by name or account ID"
      searchable
      clearable
      // Clicking the chosen patient again keeps it; the clear button is the one way to empty the field.
      allowDeselect={false}
      required
      disabled={disabled}
      data={patients.map((p) => ({ value: p.id, label: optionLabel(p) }))}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={noResults}
      onChange={(id) => {
        setPicked(patients.find((p) => p.id === id) ?? null);
        onChange(id);
      }}
      error={error}
      maxDropdownHeight={280}
    />
  );
}
