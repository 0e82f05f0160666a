/** The paths that carry patient data to API clients: signed in, guarded and never cached (the JSON API and FHIR). */
export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/fhir/');
}
