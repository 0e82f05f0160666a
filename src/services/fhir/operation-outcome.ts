import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

const issueCodes: Record<number, OperationOutcomeIssue['code']> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  413: 'too-long',
  429: 'throttled',
  500: 'exception',
  503: 'transient',
};

/** An error as FHIR clients read it; our stable error code travels as the issue's details. */
export function operationOutcome(status: number, code: string, message: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: issueCodes[status] ?? 'processing', details: { coding: [{ system: 'https://patient-ledger.dev/problems', code }], text: message }, diagnostics: message }],
  };
}
