import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AgingBuckets, ArAging, LedgerRow, LedgerRowKind, PatientLedger } from '../../../../src/contracts/ledger.ts';

export type { AgingBuckets, ArAging, LedgerRow, PatientLedger };

/** Under the patient's own key, so anything that moves money (useMoneyMoved) refreshes it with the balance. */
export function usePatientLedger(patientId: string) {
  return useQuery({
    queryKey: ['patients', 'detail', patientId, 'ledger'],
    queryFn: ({ signal }) => api.get<PatientLedger>(`/patients/${encodeURIComponent(patientId)}/ledger`, undefined, signal),
  });
}

export function useArAging(params: { asOf: string | null; locationId: string | null }) {
  return useQuery({
    queryKey: ['reports', 'ar-aging', params],
    queryFn: ({ signal }) => api.get<ArAging>('/reports/ar-aging', { asOf: params.asOf, locationId: params.locationId }, signal),
    placeholderData: keepPreviousData,
  });
}

export const ledgerKindLabels: Record<LedgerRowKind, string> = {
  charge: 'Charge',
  payer_payment: 'Insurance payment',
  contractual_adjustment: 'Contractual write-off',
  transfer_to_patient: 'To patient responsibility',
  passed_to_next_payer: 'To next payer',
  patient_payment: 'Patient payment',
  payment_reversed: 'Payment reversed',
  application: 'Applied',
  unapplication: 'Unapplied',
  refund: 'Refund',
  refund_to_credit: 'Refund to credit',
  credit_created: 'Credit',
  credit_draw: 'Paid from credit',
  credit_transfer_in: 'Credit transfer in',
  credit_transfer_out: 'Credit transfer out',
  other: 'Other',
};
