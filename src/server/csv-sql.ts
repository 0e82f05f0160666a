import { sql, type RawBuilder } from 'kysely';

/**
 * The cells of csv.ts as PostgreSQL expressions, for an export whose CSV PostgreSQL writes itself
 * (`COPY … TO STDOUT WITH (FORMAT csv)`, ADR 0066). Each gives the cell's text before quoting, or NULL for an
 * empty cell: COPY writes NULL as nothing and quotes a value exactly as cell() does (one with a comma, a quote, a
 * CR or a LF; quotes doubled), but it would write an empty string as `""`, so an empty text is made NULL here.
 * tests/csv-copy.test.ts checks them against their JavaScript twins, byte for byte.
 *
 * Written out, not as scalar subqueries: PostgreSQL runs a subquery of a row's columns once a row, as a plan of its
 * own. So an argument is repeated in the expression, and should be cheap (a column, a concatenation).
 */

/** cell()'s formula guard: text a spreadsheet would run (= + - @ tab CR first) gets a quote first, unless a plain number. */
export function guardedSql(text: RawBuilder<string | null>): RawBuilder<string | null> {
  // ascii() of the first character (0 for an empty text): = + - @ tab CR are 61 43 45 64 9 13. [0-9], not \d:
  // PostgreSQL's \d may match other scripts' digits, JavaScript's matches 0-9 only.
  return sql<string | null>`case when ascii(${text}) in (61, 43, 45, 64, 9, 13) and ${text} !~ ${sql.lit('^-?[0-9]+([.][0-9]+)?$')} then '''' || ${text} else nullif(${text}, '') end`;
}

/** dollars(): integer cents as dollars with two decimals, 123456 → 1234.56, -5 → -0.05. */
export function dollarsSql(cents: RawBuilder<number>): RawBuilder<string> {
  const digits = sql<string>`case when abs(${cents}) >= 100 then abs(${cents})::text else lpad(abs(${cents})::text, 3, '0') end`;
  return sql<string>`case when ${cents} < 0 then '-' else '' end || left(${digits}, -2) || '.' || right(${digits}, 2)`;
}

/** csvDate(): YYYY-MM-DD of a stored calendar date, as it is (a cell like any other). */
export function csvDateSql(date: RawBuilder<string | null>): RawBuilder<string | null> {
  return guardedSql(sql<string | null>`left(${date}, 10)`);
}

/** csvDay(): YYYY-MM-DD of a stored instant on the practice's calendar (a time zone name of the IANA database). */
export function csvDaySql(instant: RawBuilder<string>, timeZone: string): RawBuilder<string> {
  return sql<string>`to_char((${instant})::timestamptz at time zone ${timeZone}, 'YYYY-MM-DD')`;
}
