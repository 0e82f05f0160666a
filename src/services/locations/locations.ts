import { sql } from 'kysely';
import type { UpdateLocationBody } from '../../contracts/practice-setup.ts';
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
  return { id: location.id, name, createdAt: location.createdAt, active: true };
}

function toLocation(row: { id: string; name: string; createdAt: string; deactivatedAt: string | null }) {
  return { id: row.id, name: row.name, createdAt: row.createdAt, active: row.deactivatedAt === null };
}

/** Renames a location or (de)activates it (admin, audited). Its visits and payments keep pointing at it. */
export async function updateLocation(db: Db, actor: Actor, locationId: string, input: UpdateLocationBody) {
  try {
    return await inTransaction(db, async (trx) => {
      const before = await trx
        .selectFrom('locations')
        .select(['id', 'name', 'createdAt', 'deactivatedAt'])
        .where('id', '=', locationId)
        .where('practiceId', '=', actor.practiceId)
        .executeTakeFirst();
      if (!before) throw new AppError('not_found', 'Location not found.');
      const set = {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.active !== undefined ? { deactivatedAt: input.active ? null : (before.deactivatedAt ?? nowIso()) } : {}),
      };
      await trx.updateTable('locations').set(set).where('id', '=', locationId).execute();
      const after = { ...before, ...set };
      await recordAudit(trx, actor, {
        action: 'location.updated',
        entityType: 'location',
        entityId: locationId,
        before: { name: before.name, active: before.deactivatedAt === null },
        after: { name: after.name, active: after.deactivatedAt === null },
      });
      return toLocation(after);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', `A location named "${input.name?.trim()}" already exists.`);
    throw error;
  }
}

export async function listLocations(db: Db, actor: Actor) {
  const items = await db
    .selectFrom('locations')
    .select(['id', 'name', 'createdAt', 'deactivatedAt'])
    .where('practiceId', '=', actor.practiceId)
    // Active locations first: pickers offer them; deactivated ones stay listed for setup and history.
    .orderBy(sql`case when deactivated_at is null then 0 else 1 end`)
    .orderBy('name')
    .execute();
  return wholeList(items.map(toLocation));
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

/** As requireLocation, and refuses a deactivated location for a new visit or payment. */
export async function requireActiveLocation(db: Db, actor: Actor, locationId: string) {
  const location = await db
    .selectFrom('locations')
    .select(['id', 'name', 'deactivatedAt'])
    .where('id', '=', locationId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!location) throw new AppError('not_found', 'Location not found.');
  if (location.deactivatedAt !== null) throw new AppError('business_rule', `${location.name} is deactivated: choose an active location.`);
  return { id: location.id, name: location.name };
}
