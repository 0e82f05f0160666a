import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';
import { runLedger, startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';

/**
 * Issue 11 item 6: `ledger backup` while a real server takes payments and
 * documents, `ledger restore` into a fresh folder, a server started there:
 * every payment and document acknowledged before the backup began is in it,
 * nothing is half there, balances match and `ledger verify` is clean.
 */

interface Sent {
  id: string;
  patientId: string;
  amountCents: number;
  ackedAt: number;
}
interface SentDocument {
  paymentId: string;
  id: string;
  bytes: Buffer;
  ackedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('backup and restore of the SQLite data folder under write load', () => {
  let database: TestDatabase;
  let token = '';
  const patients: string[] = [];
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-backup-test-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'alpha', name: 'Alpha Clinic' });
    const actor = cliActor(practice.id);
    for (let i = 0; i < 4; i++) patients.push((await createPatient(db, actor, { firstName: `Pat${i}`, lastName: 'Backup', dateOfBirth: '1980-01-01' })).id);
    token = (await createApiToken(db, actor, { role: 'admin' })).token;
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => stopServer(s)));
    await database?.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const api = (server: ServerProcess, url: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${url}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  it('keeps every acknowledged payment, document and balance, and verify is clean', async () => {
    const source = await startServer({ dataDir: database.dataDir });
    servers.push(source);
    await waitForHealth(source);

    const sent: Sent[] = [];
    const inFlight = new Set<string>();
    const documents: SentDocument[] = [];
    let stop = false;
    let errors = 0;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const patientId = patients[(w + n) % patients.length]!;
        const amountCents = 100 + ((w * 7919 + n * 104729) % 50_000);
        const response = await api(source, '/payments', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ patientId, amountCents, method: 'cash', status: 'paid', memo: `w${w} n${n}` }),
        });
        if (response.status !== 201) {
          errors++;
          continue;
        }
        const payment = (await response.json()) as { id: string };
        sent.push({ id: payment.id, patientId, amountCents, ackedAt: Date.now() });
        if (n % 2 === 0) {
          const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2_000 + n * 37)]);
          const form = new FormData();
          form.append('file', new Blob([bytes], { type: 'image/png' }), `scan-${w}-${n}.png`);
          inFlight.add(payment.id);
          const uploaded = await api(source, `/payments/${payment.id}/documents`, { method: 'POST', body: form });
          inFlight.delete(payment.id);
          if (uploaded.status !== 201) {
            errors++;
            continue;
          }
          documents.push({ paymentId: payment.id, id: ((await uploaded.json()) as { id: string }).id, bytes, ackedAt: Date.now() });
        }
      }
    };
    const workers = [0, 1, 2].map(worker);
    const waitForSent = async (n: number) => {
      for (let i = 0; i < 600 && sent.length < n; i++) await sleep(50);
    };
    await waitForSent(12);

    const env = { DATA_DIR: database.dataDir, DATABASE_URL: '' };
    const underLoad = path.join(tmp(), 'under-load.tar.gz');
    const backupStartedAt = Date.now();
    const sentBeforeBackup = sent.length;
    const backup = await runLedger(['backup', underLoad], env);
    expect(backup, backup.stderr).toMatchObject({ code: 0 });
    await waitForSent(sent.length + 3);
    stop = true;
    await Promise.all(workers);
    expect(errors).toBe(0);
    // The load really wrote while the backup ran.
    expect(sent.filter((s) => s.ackedAt > backupStartedAt).length).toBeGreaterThan(0);
    expect(sentBeforeBackup).toBeGreaterThanOrEqual(12);

    // A second backup with the writers stopped: it must equal the source exactly.
    const quiet = path.join(tmp(), 'quiet.tar.gz');
    expect(await runLedger(['backup', quiet], env)).toMatchObject({ code: 0 });
    expect((await runLedger(['backup', quiet], env)).stderr).toContain('already exists');

    // Restore refuses a folder that is not empty, unless forced.
    const restored = tmp();
    fs.writeFileSync(path.join(restored, 'something.txt'), 'keep me');
    const refused = await runLedger(['restore', underLoad, '--data-dir', restored], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not empty');
    expect(fs.readdirSync(restored)).toEqual(['something.txt']);
    const forced = await runLedger(['restore', underLoad, '--data-dir', restored, '--force'], {});
    expect(forced, forced.stderr).toMatchObject({ code: 0 });

    // The restored folder: its own server, the backup's contents through the API.
    const copy = await startServer({ dataDir: restored });
    servers.push(copy);
    await waitForHealth(copy);
    const restoredRows = new SQLite(path.join(restored, 'ledger.db'), { readonly: true });
    const present = new Map(
      (restoredRows.prepare('select id, patient_id, amount_cents from payments').all() as Array<{ id: string; patient_id: string; amount_cents: number }>).map((r) => [r.id, r]),
    );
    const presentDocuments = new Set((restoredRows.prepare('select id from payment_documents').all() as Array<{ id: string }>).map((r) => r.id));
    restoredRows.close();

    const byId = new Map(sent.map((s) => [s.id, s]));
    const lost = sent.filter((s) => s.ackedAt < backupStartedAt && !present.has(s.id));
    expect(lost).toEqual([]);
    // Nothing in the copy that the load did not send, and nothing altered.
    for (const [id, row] of present) {
      expect(byId.get(id), id).toMatchObject({ patientId: row.patient_id, amountCents: row.amount_cents });
    }
    const lostDocuments = documents.filter((d) => d.ackedAt < backupStartedAt && !presentDocuments.has(d.id));
    expect(lostDocuments).toEqual([]);
    for (const doc of documents.filter((d) => presentDocuments.has(d.id))) {
      const download = await api(copy, `/payments/${doc.paymentId}/documents/${doc.id}`);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(doc.bytes)).toBe(true);
    }
    // Balances: each patient's unapplied money is the sum of their payments in the copy.
    for (const patientId of patients) {
      const expected = [...present.values()].filter((p) => p.patient_id === patientId).reduce((sum, p) => sum + p.amount_cents, 0);
      const detail = (await (await api(copy, `/patients/${patientId}`)).json()) as { balance: { unappliedCents: number } };
      expect(detail.balance.unappliedCents, patientId).toBe(expected);
    }
    const verify = await runLedger(['verify'], { DATA_DIR: restored, DATABASE_URL: '' });
    expect(verify, verify.stderr).toMatchObject({ code: 0 });

    // The quiet backup equals the source: every payment, document and balance.
    const exact = tmp();
    expect(await runLedger(['restore', quiet, '--data-dir', exact], {})).toMatchObject({ code: 0 });
    const second = await startServer({ dataDir: exact });
    servers.push(second);
    await waitForHealth(second);
    for (const s of sent) {
      const payment = (await (await api(second, `/payments/${s.id}`)).json()) as { amountCents: number; status: string };
      expect(payment, s.id).toMatchObject({ amountCents: s.amountCents, status: 'paid' });
    }
    for (const doc of documents) {
      const download = await api(second, `/payments/${doc.paymentId}/documents/${doc.id}`);
      expect(Buffer.from(await download.arrayBuffer()).equals(doc.bytes)).toBe(true);
    }
    for (const patientId of patients) {
      const [a, b] = await Promise.all([source, second].map(async (s) => ((await (await api(s, `/patients/${patientId}`)).json()) as { balance: unknown }).balance));
      expect(b).toEqual(a);
    }
    expect(inFlight.size).toBe(0);
    expect(await runLedger(['verify'], { DATA_DIR: exact, DATABASE_URL: '' })).toMatchObject({ code: 0 });
  }, 240_000);

  it('says how to back up PostgreSQL instead of pretending', async () => {
    const result = await runLedger(['backup', path.join(tmp(), 'pg.tar.gz')], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/none' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pg_dump');
    expect(result.stderr).toContain('documents');
  });
});
