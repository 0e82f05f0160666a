/** The `page` search parameter: a positive whole number, 1 when missing or not one. */
export function pageParam(search: URLSearchParams, name = 'page'): number {
  const n = Number(search.get(name));
  return Number.isInteger(n) && n > 0 ? n : 1;
}
