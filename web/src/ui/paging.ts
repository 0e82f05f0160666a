/** The `page` search parameter: a positive whole number, 1 when missing or not one. */
export function pageParam(search: URLSearchParams, name = 'page'): number {
  const n = Number(search.get(name));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * "41–50 of 57" for a pager. A page past the end (a stale `?page=99`) reads as the last page, as the API
 * answers it (SPEC 12: pages are clamped), never "2451–200 of 200".
 */
export function pageRangeText(page: number, pageSize: number, total: number, empty = 'None'): string {
  if (total === 0) return empty;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const shown = Math.min(Math.max(1, page), lastPage);
  return `${(shown - 1) * pageSize + 1}–${Math.min(total, shown * pageSize)} of ${total}`;
}
