/**
 * Whether a database error is a unique-constraint violation (PostgreSQL
 * 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY), optionally on one
 * named constraint or index. Services turn it into a 409: the constraint is
 * the guard, a read before the write is only a friendlier message.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code === '23505') return constraint === undefined || e.constraint === constraint;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  return false;
}
