import { AppError } from '../../domain/errors.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import type { Actor } from '../actor.ts';
import { wholeList } from '../whole-list.ts';

export async function createLocation(db: Db, actor: Actor, input: { name: string }) {
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'A location needs a name.');
  try {
    return await inTransaction(db, (trx) => insertLocation(trx, actor, name));
  } catch (error) {
    // Two requests with one new name at once: both pass the read, the constraint stops the second.
    if (isUniqueViolation(error)) throw new AppError('conflict', `A location named "${name}" already exists.`);
    throw error;
  }
}

async function insertLocation(trx: Trx, actor: Actor, name: string) {
  const taken = await trx
    .selectFrom('locations')
    .select('id')
    .where('practiceId', '=', actor.practiceId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (taken) throw new AppError('conflict', `A location named "${name}" already exists.`);
  const location = { id: newId(), practiceId: actor.practiceId, name, createdAt: nowIso() };
  await trx.insertInto('locations').values(location).execute();
  await recordAudit(trx, actor, { action: 'location.created', entityType: 'location', entityId: location.id, after: { name } });
  return { id: location.id, name, createdAt: location.createdAt };
}

export async function listLocations(db: Db, actor: Actor) {
  const items = await db
    .selectFrom('locations')
    .select(['id', 'name', 'createdAt'])
    .where('practiceId', '=', actor.practiceId)
    .orderBy('name')
    .execute();
  return wholeList(items);
}

/** Throws not_found unless the location belongs to the actor's practice. */
export async function requireLocation(db: Db, actor: Actor, locationId: string) {
  const location = await db
    .selectFrom('locations')
    .select(['id', 'name'])
    .where('id', '=', locationId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!location) throw new AppError('not_found', 'Location not found.');
  return location;
}
