import { SqliteAdapter, sql, type RawBuilder } from 'kysely';
import type { ListPaymentsQuery } from '../../contracts/payments.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { escapeLike } from '../patients/patients.ts';
import { paymentNumberRanges } from '../../domain/payments/payment-number-search.ts';
import { pageWithTotal } from '../whole-list.ts';
import { AppError } from '../../domain/errors.ts';
import { toPayment } from './payment-views.ts';
import { calendarDateIn } from '../../domain/calendar/practice-calendar.ts';
import { noDueDate } from '../../db/migrations/0027-payment-name-search.ts';

const sortColumns = {
  createdAt: 'payments.createdAt',
  amount: 'payments.amountCents',
  // Payments without a due date sort after every dated one (before them, descending), on both databases: the
  // expression of the payments_list_due index (migration 0027), so the sort pages by keyset like the others.
  dueDate: sql<string>`coalesce(payments.due_date, ${sql.lit(noDueDate)})`,
  status: 'payments.status',
  patientName: 'payments.patientName',
} as const;

/** Builds the filtered query shared by the list, its count and the CSV export. */
export function filtered(db: Db, actor: Actor, query: Omit<ListPaymentsQuery, 'page' | 'pageSize' | 'sort' | 'order'>) {
  let q = db.selectFrom('payments').where('payments.practiceId', '=', actor.practiceId);
  if (query.status?.length) q = q.where('payments.status', 'in', query.status);
  if (query.locationId) q = q.where('payments.locationId', '=', query.locationId);
  if (query.patientId) q = q.where('payments.patientId', '=', query.patientId);
  const search = query.search?.trim().toLowerCase();
  if (search) {
    // A payment number is matched as a prefix of its shown form (SPEC 3), as integer ranges on the
    // indexed number column; any other text searches the patient's name, word by word.
    const ranges = paymentNumberRanges(search);
    if (ranges === 'all') return q; // "pay" / "pay-": every payment number starts with it.
    if (ranges) {
      q = q.where((eb) =>
        eb.or(ranges.map(([low, high]) => eb.and([eb('payments.number', '>=', low), eb('payments.number', '<=', high)]))),
      );
    } else {
      q = q.where('payments.patientName', 'in', matchingNames(db, actor.practiceId, searchWords(search)));
    }
  }
  return q;
}

function searchWords(search: string): string[] {
  return search.split(/[\s,]+/).filter(Boolean);
}

/** Whether the query searches patient names (not payment numbers). */
export function searchesNames(query: Pick<ListPaymentsQuery, 'search'>): boolean {
  const search = query.search?.trim().toLowerCase();
  return Boolean(search) && paymentNumberRanges(search!) === null;
}

/**
 * The practice's payment names containing every word (SPEC 3: partial, the same LIKE as ever on the stored
 * lower-cased "last, first"), from the name dictionary of migration 0027 (ADR 0030). On PostgreSQL the LIKEs
 * use the pg_trgm GIN index; on SQLite the words of three characters or more are first looked up in the FTS5
 * trigram table (case-folded, so a superset), then every name is checked with the LIKEs themselves. The
 * payments of those names come from the (practice, name, number) index.
 */
function matchingNames(db: Db, practiceId: string, words: string[]) {
  return matchingNameRows(db, practiceId, words).select('paymentNames.patientName');
}

/** The dictionary rows of matchingNames, before their columns are chosen. */
function matchingNameRows(db: Db, practiceId: string, words: string[]) {
  const trigrams = isSqlite(db) ? words.filter((word) => [...word].length >= 3) : [];
  let names = db.selectFrom('paymentNames');
  if (trigrams.length > 0) {
    // Each word a quoted FTS5 string (a run of trigrams: the word as a substring), all of them required. The
    // unary + keeps SQLite from walking all the practice's names by index: the FTS rowids lead.
    const match = trigrams.map((word) => `"${word.replaceAll('"', '""')}"`).join(' AND ');
    names = names
      .where(sql<boolean>`+payment_names.practice_id = ${practiceId}`)
      .where(sql<boolean>`payment_names.id in (select rowid from payment_names_trigram where payment_names_trigram match ${match})`);
  } else {
    names = names.where('paymentNames.practiceId', '=', practiceId);
  }
  for (const word of words) {
    names = names.where('paymentNames.patientName', 'like', sql<string>`${`%${escapeLike(word)}%`} escape '\\'`);
  }
  return names;
}

type SortKey = keyof typeof sortColumns;

/** The sort's value as an SQL expression (a column, or the due date's coalesce). */
export function sortValue(sort: SortKey): RawBuilder<string | number> {
  const column = sortColumns[sort];
  return typeof column === 'string' ? sql.ref<string | number>(column) : column;
}
/** Every sort pages by keyset: its value (due date: coalesced, never null) and the number. */
const keysetSorts = new Set<SortKey>(['createdAt', 'amount', 'dueDate', 'status', 'patientName']);

/** The opaque cursor: the last row's sort value and number, with the sort it belongs to. */
interface Cursor {
  sort: SortKey;
  order: 'asc' | 'desc';
  value: string | number;
  number: number;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.order, cursor.value, cursor.number])).toString('base64url');
}

function decodeCursor(text: string, query: ListPaymentsQuery): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const [sort, order, value, number] = Array.isArray(parsed) ? parsed : [];
  if (sort !== query.sort || order !== query.order || !keysetSorts.has(sort) || !['string', 'number'].includes(typeof value) || !Number.isSafeInteger(number)) {
    throw new AppError('validation_failed', 'cursor is not a nextCursor of this list (same sort and order)');
  }
  return { sort, order, value, number };
}

/**
 * One page of the filtered, sorted list, without counting the whole filter:
 * the page's ids first, from the index alone (a deep OFFSET skips index
 * entries, not joined rows), then those rows with their names. With a
 * cursor, the page starts after the cursor's row instead (keyset).
 */
async function pageOfPayments(db: Db, actor: Actor, query: ListPaymentsQuery, publicUrl: string, after?: Cursor, plan: 'walk' | 'sort' | 'byName' = 'walk') {
  if (plan === 'byName') return presentPage(db, query, await pageIdsByName(db, actor, query, after), publicUrl);
  const value = sortValue(query.sort);
  // 'sort' (SQLite, a name search with few matches): the unary + keeps SQLite from walking the sort's index
  // for matches, so it reads the matching names' payments from the name index and sorts them (ADR 0030).
  const orderValue = plan === 'sort' ? sql<string | number>`+${value}` : value;
  let ids = filtered(db, actor, query).select(['payments.id']).orderBy(orderValue, query.order).orderBy('payments.number', query.order).limit(query.pageSize);
  if (after) {
    const op = query.order === 'asc' ? '>' : '<';
    // A row value comparison: one range on the (sort value, number) index (migrations 0023, 0027). The bound
    // on the value alone lets SQLite range over an expression index (due date) too.
    // With the 'sort' plan the + keeps these off the sort's index too.
    ids = ids
      .where(sql<boolean>`${orderValue} ${sql.raw(op)}= ${after.value}`)
      .where(sql<boolean>`(${orderValue}, payments.number) ${sql.raw(op)} (${after.value}, ${after.number})`);
  } else {
    const offset = (query.page - 1) * query.pageSize;
    const seek = await daySeek(db, actor, query, offset);
    if (seek) {
      ids = ids.where('payments.createdAt', query.order === 'asc' ? '>=' : '<', seek.bound);
      ids = ids.offset(offset - seek.skipped);
    } else {
      ids = ids.offset(offset);
    }
  }
  return presentPage(db, query, (await ids.execute()).map((r) => r.id), publicUrl);
}

/**
 * The page's payments, in the order of their ids, with their patients' and locations' names. The same
 * statement brings the practice's time zone (for "today") and each row's stored sort value (the cursor after
 * the last row): no statement of its own for either.
 */
async function presentPage(db: Db, query: ListPaymentsQuery, page: string[], publicUrl: string): Promise<ListedPayment[]> {
  if (page.length === 0) return [];
  const rows = await db
    .selectFrom('payments')
    .innerJoin('practices', 'practices.id', 'payments.practiceId')
    .leftJoin('patients', 'patients.id', 'payments.patientId')
    .leftJoin('locations', 'locations.id', 'payments.locationId')
    .selectAll('payments')
    .select(['patients.firstName', 'patients.lastName', 'locations.name as locationName', 'practices.timeZone as practiceTimeZone', sortValue(query.sort).as('sortValue')])
    .where('payments.id', 'in', page)
    .execute();
  const position = new Map(page.map((id, i) => [id, i]));
  rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
  const today = calendarDateIn(rows[0]!.practiceTimeZone);
  return rows.map(({ firstName, lastName, locationName, practiceTimeZone: _zone, sortValue: value, ...row }) => ({
    item: toPayment(row, { patientName: `${firstName} ${lastName}`, locationName: locationName ?? null, today }, publicUrl),
    key: { value, number: Number(row.number) },
  }));
}

/** A listed payment as the API shows it, and its keyset position (the sort's stored value and the number). */
interface ListedPayment {
  item: ReturnType<typeof toPayment>;
  key: { value: string | number; number: number };
}

/** The most names a search pages by name (postgresSearchPlan): each is one index range of up to a page's rows. */
const byNameLimit = 100;

/**
 * PostgreSQL, a name search alone by date (ADR 0040): each matching name's first rows from the
 * (practice_id, patient_name, created_at, number, id) index of migration 0032, a LATERAL range per name,
 * merged and cut to the page — index entries only, where walking the date index reads a table row per
 * payment walked to test its name (~800 for 25 matches of "smi").
 */
async function pageIdsByName(db: Db, actor: Actor, query: ListPaymentsQuery, after?: Cursor): Promise<string[]> {
  const names = matchingNames(db, actor.practiceId, searchWords(query.search!.trim().toLowerCase()));
  const dir = sql.raw(query.order === 'asc' ? 'asc' : 'desc');
  const op = sql.raw(query.order === 'asc' ? '>' : '<');
  const offset = after ? 0 : (query.page - 1) * query.pageSize;
  const range = after ? sql`and p.created_at ${op}= ${after.value} and (p.created_at, p.number) ${op} (${after.value}, ${after.number})` : sql``;
  const { rows } = await sql<{ id: string }>`
    select x.id from (${names}) n cross join lateral (
      select p.id, p.created_at, p.number from payments p
      where p.practice_id = ${actor.practiceId} and p.patient_name = n.patient_name ${range}
      order by p.created_at ${dir}, p.number ${dir} limit ${offset + query.pageSize}) x
    order by x.created_at ${dir}, x.number ${dir} limit ${query.pageSize} offset ${offset}`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * A name search's total and, when it searches by name alone, how many names match: both from the
 * dictionary's counts in one query (migration 0032). With a filter the total counts rows (countPayments).
 */
async function searchCounts(db: Db, actor: Actor, query: ListPaymentsQuery): Promise<{ total: number; names: number | null }> {
  if (!namesAlone(query)) return { total: await countPayments(db, actor, query), names: null };
  const row = await matchingNameRows(db, actor.practiceId, searchWords(query.search!.trim().toLowerCase()))
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('paymentNames.payments'), eb.lit(0)).as('total'), eb.fn.countAll<number>().as('names')])
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), names: Number(row.names) };
}

/** A name search with no status, location or patient filter: its total is the matching names' counts. */
function namesAlone(query: ListPaymentsQuery): boolean {
  return searchesNames(query) && !query.status?.length && !query.locationId && !query.patientId;
}

/**
 * PostgreSQL's plan for a name search's page: by name (pageIdsByName) when the search is by name alone,
 * sorted by date, and matches at most byNameLimit names; otherwise the planner's own choice (ADR 0030).
 */
function postgresSearchPlan(query: ListPaymentsQuery, names: number | null): 'walk' | 'byName' {
  return query.sort === 'createdAt' && names !== null && names <= byNameLimit ? 'byName' : 'walk';
}

/** Below this offset a plain OFFSET steps over few enough index entries (about a busy day's payments). */
const seekFrom = 1000;

/**
 * Where a deep page of the unfiltered list by date starts (ADR 0040): the day its first row falls in, from
 * the per-day counts of migration 0032 summed from the newest day (oldest, ascending). The page then skips
 * only within that day: `skipped` rows lie beyond `bound` (newer days: created_at ≥ the next newer day with
 * payments; ascending, older days: created_at < the day), the rest of the offset is counted in the index. The
 * same rows as a plain OFFSET, without stepping over ~50,000 index entries for page 2000.
 */
async function daySeek(db: Db, actor: Actor, query: ListPaymentsQuery, offset: number): Promise<{ bound: string; skipped: number } | null> {
  if (offset < seekFrom || query.sort !== 'createdAt' || query.status?.length || query.locationId || query.patientId || query.search?.trim()) return null;
  const order = sql.raw(query.order === 'asc' ? 'asc' : 'desc');
  const { rows } = await sql<{ day: string; skipped: number | string; newer: string | null }>`
    select day, skipped, newer from (
      select day, payments, sum(payments) over (order by day ${order}) - payments as skipped, lag(day) over (order by day ${order}) as newer
      from payment_days where practice_id = ${actor.practiceId}) d
    where skipped + payments > ${offset} order by day ${order} limit 1`.execute(db);
  const day = rows[0];
  if (!day) return null; // past the end: the plain OFFSET answers nothing, as before
  const bound = query.order === 'asc' ? day.day : day.newer;
  return bound === null ? null : { bound, skipped: Number(day.skipped) };
}

/**
 * How many payments the filter matches. A filter of statuses and a location
 * only is answered from the dashboard's running totals (a few rows, exact);
 * a name search alone from the dictionary's per-name counts (migration 0032:
 * a sum over the matching names, not a count of their payments); any other
 * search, or a patient, counts the matching rows.
 */
export async function countPayments(db: Db, actor: Actor, query: ListPaymentsQuery): Promise<number> {
  if (namesAlone(query)) return (await searchCounts(db, actor, query)).total;
  if (!query.search?.trim() && !query.patientId) {
    let totals = db.selectFrom('paymentTotals').where('practiceId', '=', actor.practiceId);
    if (query.status?.length) totals = totals.where('status', 'in', query.status);
    if (query.locationId) totals = totals.where('locationId', '=', query.locationId);
    return Number((await totals.select((eb) => eb.fn.coalesce(eb.fn.sum<number>('payments'), eb.lit(0)).as('n')).executeTakeFirstOrThrow()).n);
  }
  return Number((await filtered(db, actor, query).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

export async function listPayments(db: Db, actor: Actor, query: ListPaymentsQuery, publicUrl: string) {
  const after = query.cursor ? decodeCursor(query.cursor, query) : undefined;
  let list: { items: ListedPayment[]; total: number; page: number; pageSize: number };
  if (searchesNames(query)) {
    // The counts come first: they pick the page's plan.
    const { total, names } = await searchCounts(db, actor, query);
    const plan = isSqlite(db) ? await searchPlan(db, actor, total, after ? query.pageSize : query.page * query.pageSize) : postgresSearchPlan(query, names);
    if (after) {
      list = { items: await pageOfPayments(db, actor, query, publicUrl, after, plan), total, page: query.page, pageSize: query.pageSize };
    } else {
      list = await pageWithTotal(query, (page) => pageOfPayments(db, actor, { ...query, page }, publicUrl, undefined, plan), async () => total);
    }
  } else if (after) {
    const [items, total] = await Promise.all([pageOfPayments(db, actor, query, publicUrl, after), countPayments(db, actor, query)]);
    list = { items, total, page: query.page, pageSize: query.pageSize };
  } else {
    list = await pageWithTotal(query, (page) => pageOfPayments(db, actor, { ...query, page }, publicUrl), () => countPayments(db, actor, query));
  }
  return { ...list, items: list.items.map((listed) => listed.item), nextCursor: cursorAfter(query, list.items) };
}

export function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * SQLite's plan for a name search's page (PostgreSQL's planner chooses well by itself). Walking the sort's
 * index until enough matches turned up reads about rows × payments ÷ matches index entries (and their table
 * rows); sorting the matches, read through the name index, reads `matches` rows. Sorting wins when
 * matches² ≤ rows × payments: at 1,000,000 payments and 25 rows, up to 5,000 matches — either way a few
 * thousand rows at most. (Measured: a name with 245 payments of 200,000 took 37 ms walking, 0.2 ms sorted;
 * "smi", 6,564 matches: 0.4 ms walking, 8 ms sorted.)
 */
export async function searchPlan(db: Db, actor: Actor, matches: number, rows: number): Promise<'walk' | 'sort'> {
  const all = await db
    .selectFrom('paymentTotals')
    .where('practiceId', '=', actor.practiceId)
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('payments'), eb.lit(0)).as('n'))
    .executeTakeFirstOrThrow();
  return matches * matches <= rows * Number(all.n) ? 'sort' : 'walk';
}

/** The cursor after the last item of a full page: its stored sort value and number. */
function cursorAfter(query: ListPaymentsQuery, items: ListedPayment[]): string | null {
  const last = items.at(-1);
  if (!last || !keysetSorts.has(query.sort) || items.length < query.pageSize) return null;
  return encodeCursor({ sort: query.sort, order: query.order, value: last.key.value, number: last.key.number });
}
