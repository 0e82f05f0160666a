import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { newId, nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { inTransaction, type Db } from '../../db/transaction.ts';
import { acceptedDocumentTypes, sniffDocumentType } from '../../domain/payments/document-type.ts';
import { AppError } from '../../domain/errors.ts';
import type { Actor } from '../actor.ts';
import { requirePayment } from './payment-views.ts';
import { wholeList } from '../whole-list.ts';

export interface DocumentStore {
  dataDir: string;
  maxBytes: number;
}

function documentPath(store: DocumentStore, practiceId: string, documentId: string): string {
  return path.join(store.dataDir, 'documents', practiceId, documentId);
}

function cleanFileName(name: string): string {
  const base = path.basename(name).replace(/[^\w.\- ()]/g, '_').slice(0, 200);
  return base || 'document';
}

/**
 * Stores an uploaded PDF or image on disk under the data folder and records
 * it. The file is written first and removed again if the record fails, so
 * no record points at a missing file.
 */
export async function addPaymentDocument(
  db: Db,
  actor: Actor,
  paymentId: string,
  upload: { fileName: string; data: Buffer },
  store: DocumentStore,
) {
  await requirePayment(db, actor, paymentId);
  if (upload.data.length === 0) throw new AppError('validation_failed', 'The file is empty.');
  if (upload.data.length > store.maxBytes) {
    throw new AppError('document_too_large', `Documents may be at most ${Math.floor(store.maxBytes / 1048576)} MB.`);
  }
  const contentType = sniffDocumentType(upload.data.subarray(0, 16));
  if (!contentType) {
    throw new AppError('unsupported_document', `Only ${acceptedDocumentTypes.join(', ')} documents are accepted.`);
  }
  const id = newId();
  const file = documentPath(store, actor.practiceId, id);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, upload.data, { flag: 'wx' });
  try {
    return await inTransaction(db, async (trx) => {
      const row = {
        id,
        practiceId: actor.practiceId,
        paymentId,
        fileName: cleanFileName(upload.fileName),
        contentType,
        sizeBytes: upload.data.length,
        sha256: createHash('sha256').update(upload.data).digest('hex'),
        createdAt: nowIso(),
        createdBy: actor.name,
      };
      await trx.insertInto('paymentDocuments').values(row).execute();
      await recordAudit(trx, actor, {
        action: 'payment.document_added',
        entityType: 'payment',
        entityId: paymentId,
        after: { documentId: id, fileName: row.fileName, contentType, sizeBytes: row.sizeBytes },
      });
      return toDocument(row);
    });
  } catch (error) {
    await fs.rm(file, { force: true });
    throw error;
  }
}

function toDocument(row: { id: string; paymentId: string; fileName: string; contentType: string; sizeBytes: number; createdAt: string }) {
  return {
    id: row.id,
    fileName: row.fileName,
    contentType: row.contentType,
    sizeBytes: Number(row.sizeBytes),
    createdAt: row.createdAt,
    downloadUrl: `/api/v1/payments/${row.paymentId}/documents/${row.id}`,
  };
}

export async function listPaymentDocuments(db: Db, actor: Actor, paymentId: string) {
  await requirePayment(db, actor, paymentId);
  const rows = await db
    .selectFrom('paymentDocuments')
    .selectAll()
    .where('paymentId', '=', paymentId)
    .orderBy('createdAt')
    .execute();
  const items = rows.map(toDocument);
  return wholeList(items);
}

export async function openPaymentDocument(db: Db, actor: Actor, paymentId: string, documentId: string, store: DocumentStore) {
  const row = await db
    .selectFrom('paymentDocuments')
    .selectAll()
    .where('id', '=', documentId)
    .where('paymentId', '=', paymentId)
    .where('practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Document not found.');
  const data = await fs.readFile(documentPath(store, actor.practiceId, row.id));
  return { fileName: row.fileName, contentType: row.contentType, data };
}
