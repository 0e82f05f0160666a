import { randomInt } from 'node:crypto';
import type { Compilable } from 'kysely';

/**
 * A number that the statement writing it takes: a payment's number, which
 * holds the practice's row lock from the moment it is taken to the commit
 * (gapless numbers, ADR 0041). The rows, JSON and text that carry it are
 * built first with a stand-in, and writeTogether puts the number in its
 * place as it takes it: on PostgreSQL inside the one statement that takes
 * the number and makes the writes, so the lock is held for that statement
 * and the COMMIT only (ADR 0064); on SQLite (one writer, no round trips) in
 * the values, once taken, before the writes run.
 *
 * The stand-in is a 16-digit number drawn at random once per process: no
 * real number comes near it, and no text a client sends can hold it but by
 * a one-in-10^15 guess of a value the server never shows.
 */
export interface LateNumber {
  readonly kind: 'late number';
  readonly standIn: number;
  /** The statement that takes the number: one row, the number its only column. */
  readonly take: Compilable;
  /** The number as text shows it (PAY-001), in JavaScript and as PostgreSQL SQL over a bigint expression. */
  readonly shown: NumberShown;
  /** The number, once a writeTogether has taken it. */
  value: number | undefined;
}

export interface NumberShown {
  js(n: number): string;
  sql(n: string): string;
}

const standIn = 8_000_000_000_000_000 + randomInt(1_000_000_000) * 1_000_000 + randomInt(1_000_000);

export function lateNumber(take: Compilable, shown: NumberShown): LateNumber {
  return { kind: 'late number', standIn, take, shown, value: undefined };
}

export function isLateNumber(write: unknown): write is LateNumber {
  return typeof write === 'object' && write !== null && (write as LateNumber).kind === 'late number';
}

/** The number taken, or an error: the writes that take it have not run. */
export function takenNumber(late: LateNumber): number {
  if (late.value === undefined) throw new Error('the late number was read before the writes that take it ran');
  return late.value;
}

/** Text with the stand-in replaced by the number taken: its shown form first, which holds the bare digits. */
export function withNumber(late: LateNumber, text: string): string {
  const n = takenNumber(late);
  return text.replaceAll(late.shown.js(late.standIn), late.shown.js(n)).replaceAll(String(late.standIn), String(n));
}

/** A value built with the stand-in (a row, an answer), the number in its place: its JSON, rebuilt. */
export function valueWithNumber<T>(late: LateNumber, value: T): T {
  return JSON.parse(withNumber(late, JSON.stringify(value))) as T;
}

/** A parameter as sent once the number is taken (SQLite). */
export function parameterWithNumber(late: LateNumber, parameter: unknown): unknown {
  if (parameter === late.standIn) return takenNumber(late);
  return typeof parameter === 'string' && parameter.includes(String(late.standIn)) ? withNumber(late, parameter) : parameter;
}

/**
 * A parameter of PostgreSQL's one statement, where `taken` is the SQL of the
 * number: the expression that sends it (the parameter itself when it does not
 * hold the stand-in; none is then needed when it is the stand-in).
 */
export function parameterSql(late: LateNumber, parameter: unknown, placeholder: string, taken: string): { sql: string; sendsParameter: boolean } {
  if (parameter === late.standIn) return { sql: taken, sendsParameter: false };
  if (typeof parameter === 'string' && parameter.includes(String(late.standIn))) {
    const shownStandIn = late.shown.js(late.standIn).replaceAll("'", "''");
    return { sql: `replace(replace(${placeholder}::text, '${shownStandIn}', ${late.shown.sql(taken)}), '${late.standIn}', (${taken})::text)`, sendsParameter: true };
  }
  return { sql: placeholder, sendsParameter: true };
}
