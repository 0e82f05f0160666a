import { z } from 'zod';
import { AppError } from '../../domain/errors.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { systemActor } from '../actor.ts';

export const practiceSlugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'a slug is lower-case letters, digits and dashes');

export interface CreatePracticeInput {
  slug: string;
  name: string;
}

export async function createPractice(db: Db, input: CreatePracticeInput) {
  const slug = practiceSlugSchema.parse(input.slug);
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'A practice needs a name.');
  return inTransaction(db, async (trx) => {
    const existing = await trx.selectFrom('practices').select('id').where('slug', '=', slug).executeTakeFirst();
    if (existing) throw new AppError('conflict', `A practice with slug "${slug}" already exists.`);
    const practice = { id: newId(), slug, name, paymentSeq: 0, createdAt: nowIso() };
    await trx.insertInto('practices').values(practice).execute();
    await recordAudit(trx, systemActor(practice.id), {
      action: 'practice.created',
      entityType: 'practice',
      entityId: practice.id,
      after: { slug, name },
    });
    return practice;
  });
}

export async function findPracticeBySlug(db: Db, slug: string) {
  const practice = await db.selectFrom('practices').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!practice) throw new AppError('not_found', `No practice with slug "${slug}".`);
  return practice;
}
