/** A short, unpaged list (a payment's notes, a patient's credit lots) in the API's list shape. */
export function wholeList<T>(items: T[]) {
  return { items, total: items.length, page: 1, pageSize: Math.max(items.length, 1) };
}
