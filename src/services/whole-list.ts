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

/**
 * One page of a paged list with its total. A page past the end (a stale `?page=99`, or rows that went away)
 * answers the last page and says so in `page`, so a pager never shows "2451–200 of 200".
 */
export async function pageWithTotal<T>(
  query: { page: number; pageSize: number },
  pageOf: (page: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<{ items: T[]; total: number; page: number; pageSize: number }> {
  const { pageSize } = query;
  const [items, total] = await Promise.all([pageOf(query.page), count()]);
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  if (query.page <= lastPage || items.length > 0) return { items, total, page: query.page, pageSize };
  return { items: await pageOf(lastPage), total, page: lastPage, pageSize };
}
