import { Button, Group } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { PatientDetail } from '../../api/types';
import { can } from '../auth/permissions';
import { useCurrentSession } from '../auth/use-current-session';
import { NewVisitDialog } from '../treatments/new-visit-dialog';
import { PatientFormDialog } from './patient-form-dialog';

/** The patient page's header actions: edit the patient and coverages, record a visit. */
export function PatientActions({ patient }: { patient: PatientDetail }) {
  const { user } = useCurrentSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState<'edit' | 'visit' | null>(null);
  if (!can(user.role, 'patients:write')) return null;
  return (
    <Group gap="xs">
      <Button size="xs" variant="default" onClick={() => setOpen('edit')}>
        Edit patient
      </Button>
      {can(user.role, 'treatments:write') ? (
        <Button size="xs" onClick={() => setOpen('visit')}>
          New visit
        </Button>
      ) : null}
      <PatientFormDialog opened={open === 'edit'} onClose={() => setOpen(null)} patient={patient} onSaved={() => setOpen(null)} />
      <NewVisitDialog
        opened={open === 'visit'}
        onClose={() => setOpen(null)}
        patientId={patient.id}
        onCreated={(treatment) => void navigate(`/treatments/${treatment.id}`)}
      />
    </Group>
  );
}
