import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { calendarDateIn } from '../domain/calendar/practice-calendar.ts';
import { decimalOfCents } from '../domain/money.ts';

/**
 * CSV exports: RFC 4180 (CRLF, fields with a comma, quote or line break
 * quoted, quotes doubled), streamed a row at a time so a large list never sits
 * in memory. A cell a spreadsheet would run as a formula (starting with = + -
 * @, a tab or a carriage return) is prefixed with a quote, except plain
 * numbers such as -12.50, which stay numbers.
 */
function cell(value: string): string {
  // Most cells need neither: one test lets them through as they are.
  if (!needsCare.test(value)) return value;
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const needsCare = /^[=+\-@\t\r]|[",\r\n]/;

function line(values: readonly string[]): string {
  return values.map(cell).join(',') + '\r\n';
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map(line).join('');
}

/** Integer cents as dollars with two decimals: 123456 → "1234.56", -5 → "-0.05". */
export function dollars(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '';
  return decimalOfCents(cents);
}

/** YYYY-MM-DD of a calendar date (a due date, a date of birth), as it is. */
export function csvDate(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : '';
}

/** YYYY-MM-DD of an instant (created, resolved) on the practice's calendar, not UTC's. */
export function csvDay(instant: string | null | undefined, timeZone: string): string {
  return instant ? calendarDateIn(timeZone, instant) : '';
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
}

/**
 * About this many characters go to the socket at once: few writes, little
 * memory, and a turn of the event loop for other requests every ~300 rows.
 * A chunk is the time other requests may wait: ~5 ms at the payments
 * export's ~16 µs a row (ADR 0036); when a row cost ~90 µs, 64 KB chunks
 * held them up to ~35 ms and 8 KB was the size (issue 12).
 */
const chunkChars = 32 * 1024;

/** A row's line: its columns' values, empty for null, each made a cell. */
function lineOf<T>(columns: readonly CsvColumn<T>[], row: T): string {
  let text = '';
  for (let i = 0; i < columns.length; i++) {
    const value = columns[i]!.value(row);
    if (i > 0) text += ',';
    if (value !== null && value !== undefined) text += cell(String(value));
  }
  return text + '\r\n';
}

/** Sends the rows as a CSV attachment named `<name>.csv`, streamed (csvChunks, sendCsvChunks). */
export function sendCsv<T>(reply: FastifyReply, name: string, columns: readonly CsvColumn<T>[], rows: AsyncIterable<T>) {
  async function* oneByOne() {
    for await (const row of rows) yield [row];
  }
  return sendCsvChunks(reply, name, csvChunks(columns, oneByOne()));
}

/**
 * The CSV of rows that come a slice at a time (an array of rows read at once): the header line, then the rows'
 * lines gathered into chunks of about 32 KB; after every chunk it waits a turn of the event loop, so whatever else
 * its thread serves (the database reads are synchronous on SQLite) is served while it runs.
 */
export async function* csvChunks<T>(columns: readonly CsvColumn<T>[], slices: AsyncIterable<readonly T[]>): AsyncGenerator<string> {
  let chunk = line(columns.map((c) => c.header));
  for await (const slice of slices) {
    for (const row of slice) {
      chunk += lineOf(columns, row);
      if (chunk.length >= chunkChars) {
        yield chunk;
        chunk = '';
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  if (chunk) yield chunk;
}


/**
 * Sends a CSV's chunks as an attachment named `<name>.csv`: Readable.from pulls the next chunk only when the
 * socket has room (backpressure), so a large export never sits in memory.
 */
export function sendCsvChunks(reply: FastifyReply, name: string, chunks: AsyncIterable<string | Uint8Array>) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(chunks));
}
