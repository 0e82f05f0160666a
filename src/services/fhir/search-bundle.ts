import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';

export interface SearchPage {
  /** The base the links and fullUrls start with: <public url>/fhir/R4. */
  fhirBase: string;
  type: string;
  /** The search parameters as the client gave them (without _count and _offset). */
  params: Record<string, string>;
  count: number;
  offset: number;
}

/** A searchset Bundle of one page of the matches, with the total and self/first/previous/next links. */
export function searchsetBundle(matches: Resource[], page: SearchPage): Bundle {
  const link = (relation: string, offset: number): BundleLink => {
    const query = new URLSearchParams({ ...page.params, _count: String(page.count), _offset: String(offset) });
    return { relation, url: `${page.fhirBase}/${page.type}?${query.toString()}` };
  };
  const links = [link('self', page.offset), link('first', 0)];
  if (page.offset > 0) links.push(link('previous', Math.max(0, page.offset - page.count)));
  if (page.offset + page.count < matches.length) links.push(link('next', page.offset + page.count));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link: links,
    entry: matches.slice(page.offset, page.offset + page.count).map((resource) => ({
      fullUrl: `${page.fhirBase}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' as const },
    })),
  };
}
