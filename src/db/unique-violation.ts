import { AppError } from '../domain/errors.ts';

/** What a row that already exists means to the user, by table; anything else gets the general message. */
const messages: Record<string, string> = {
  patients: 'That account ID is already in use by another patient.',
};

/**
 * The table of a unique-constraint violation on either database, undefined
 * for any other error. PostgreSQL: SQLSTATE 23505 with the table; SQLite:
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY with "UNIQUE constraint failed: table.column".
 */
export function uniqueViolationTable(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; table?: unknown; message?: unknown };
  if (e.code === '23505') return typeof e.table === 'string' ? e.table : '';
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (\w+)\./.exec(String(e.message))?.[1] ?? '';
  }
  return undefined;
}

/**
 * The one place a unique violation becomes an answer: a 409 conflict (the
 * record was created by someone else, possibly at the same instant), never a
 * 500. Other errors come back unchanged.
 */
export function asConflict(error: unknown): unknown {
  const table = uniqueViolationTable(error);
  if (table === undefined) return error;
  return new AppError('conflict', messages[table] ?? 'This record already exists (made at the same moment by another request); reload and try again.');
}

/**
 * Whether a database error is a unique-constraint violation (PostgreSQL
 * 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY), optionally on one
 * named constraint or index. Services turn it into a 409: the constraint is
 * the guard, a read before the write is only a friendlier message.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (uniqueViolationTable(error) === undefined) return false;
  // PostgreSQL names the constraint; SQLite's message names only the columns.
  const named = (error as { constraint?: unknown }).constraint;
  return constraint === undefined || typeof named !== 'string' || named === constraint;
}
