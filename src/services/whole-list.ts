/** A short, unpaged list (a payment's notes, a patient's credit lots) in the API's list shape. */
export function wholeList<T>(items: T[]) {
  return { items, total: items.length, page: 1, pageSize: Math.max(items.length, 1) };
}

/**
 * Every item of a paged list, fetched a page at a time (the CSV exports
 * stream these): the list's own query, filters and order, so an export and
 * the screen always agree.
 */
export async function* everyItem<T>(pageOf: (page: number, pageSize: number) => Promise<{ items: T[] } | T[]>, pageSize = 500): AsyncGenerator<T> {
  for (let page = 1; ; page++) {
    const result = await pageOf(page, pageSize);
    const items = Array.isArray(result) ? result : result.items;
    yield* items;
    if (items.length < pageSize) return;
  }
}
