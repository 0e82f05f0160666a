import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../actor.ts';
import { gatherStatement } from './gather-statement.ts';
import { renderStatementPdf } from './render-statement-pdf.ts';

/** The practice's patients who owe something now (open patient responsibility), in account ID order. */
export async function patientsWithBalance(db: Db, actor: Actor) {
  return db
    .selectFrom('treatments')
    .innerJoin('patients', 'patients.id', 'treatments.patientId')
    .select(['patients.id', 'patients.accountId'])
    .where('treatments.practiceId', '=', actor.practiceId)
    .groupBy(['patients.id', 'patients.accountId'])
    .having(sql<boolean>`sum(treatments.patient_responsibility_cents - treatments.applied_cents) > 0`)
    .orderBy('patients.accountId')
    .execute();
}

/**
 * The statement run: one PDF per patient with a balance, named by account ID,
 * written into `outDir`. Each file is written to a temporary name and renamed,
 * so a stopped run never leaves half a PDF.
 */
export async function writeStatements(
  db: Db,
  actor: Actor,
  options: { outDir: string; publicUrl: string; today: string; onStart?: (total: number) => void; onProgress?: (done: number) => void },
) {
  const patients = await patientsWithBalance(db, actor);
  options.onStart?.(patients.length);
  await fs.mkdir(options.outDir, { recursive: true });
  const written: Array<{ accountId: string; file: string; balanceDueCents: number }> = [];
  for (const patient of patients) {
    const statement = await gatherStatement(db, actor, patient.id, { publicUrl: options.publicUrl, today: options.today });
    const pdf = await renderStatementPdf(statement);
    const safeName = patient.accountId.replace(/[^A-Za-z0-9-]/g, '_');
    const file = path.join(options.outDir, `statement-${safeName}-${options.today}.pdf`);
    await fs.writeFile(`${file}.part`, pdf);
    await fs.rename(`${file}.part`, file);
    written.push({ accountId: patient.accountId, file, balanceDueCents: statement.balanceDueCents });
    options.onProgress?.(written.length);
  }
  return written;
}
