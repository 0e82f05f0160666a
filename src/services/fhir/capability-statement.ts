import type { CapabilityStatement } from '@medplum/fhirtypes';
import { fhirResourceTypes } from './fhir-resources.ts';

/** What /fhir/R4 serves, written from the same list the routes are registered from. */
export function capabilityStatement(baseUrl: string, date: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'Patient Ledger',
    kind: 'instance',
    software: { name: 'Patient Ledger' },
    implementation: { description: 'Patient Ledger FHIR R4 read API (per practice)', url: `${baseUrl}/fhir/R4` },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Read-only. Money is FHIR Money in USD, converted exactly from integer cents. Searches take one patient parameter, _count (1–200, default 50) and _offset.',
        security: {
          description: "Authorization: Bearer <API token> (the practice's API tokens, a role that may read payments). Another practice's records answer 404.",
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }], text: 'Bearer API token' }],
        },
        resource: fhirResourceTypes.map((r) => ({
          type: r.type,
          documentation: r.documentation,
          interaction: [{ code: 'read' as const }, { code: 'search-type' as const }],
          searchParam: [
            ...r.searchParams.map((p) => ({ name: p.name, type: p.name === '_id' ? ('token' as const) : ('reference' as const), ...(p.definition ? { definition: p.definition } : {}), documentation: p.documentation })),
            { name: '_count', type: 'number' as const, documentation: 'Page size, 1–200 (default 50).' },
            { name: '_offset', type: 'number' as const, documentation: 'How many matches to skip (the next link carries it).' },
          ],
        })),
      },
    ],
  };
}
