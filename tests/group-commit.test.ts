import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inTransaction } from '../src/db/transaction.ts';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createLocation } from '../src/services/locations/locations.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { startHealthyServer, stopServer } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';
import { useTestApp } from './helpers/test-app.ts';

/** Counts the rows another connection sees: what is committed, not what the writer's transaction holds. */
async function committedCounter(database: TestDatabase): Promise<{ count: (prefix: string) => Promise<number>; close: () => Promise<void> }> {
  if (database.handle.file) {
    const other = new SQLite(database.handle.file, { readonly: true });
    const statement = other.prepare('select count(*) as n from locations where name like ?');
    return { count: async (prefix) => (statement.get(`${prefix}%`) as { n: number }).n, close: async () => void other.close() };
  }
  // A pool: the writers' answers ask at once, and a client takes one query at a time (pg 9 refuses more).
  const other = new pg.Pool({ connectionString: database.databaseUrl, max: 2 });
  return {
    count: async (prefix) => Number((await other.query('select count(*) as n from locations where name like $1', [`${prefix}%`])).rows[0].n),
    close: () => other.end(),
  };
}

describe.each(dialects)('group commit on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('commits concurrent transactions, answers each only after its commit, and keeps nothing of one that fails mid-way', async () => {
    const db = t.database.handle.db;
    const actor = t.admin.actor;
    const other = await committedCounter(t.database);
    try {
      await createPatient(db, actor, { firstName: 'Gc', lastName: 'Taken', dateOfBirth: '1970-01-01', accountId: `GC-${dialect}` });
      const seenAtAnswer: { own: number; all: number }[] = [];
      const writers = Array.from({ length: 8 }, (_, i) =>
        inTransaction(db, async (trx) => {
          await createLocation(trx, actor, { name: `Group ${i} a` });
          if (i === 3) {
            // Mid-way: one write done, then a real constraint failure.
            await createPatient(trx, actor, { firstName: 'Gc', lastName: 'Again', dateOfBirth: '1970-01-01', accountId: `GC-${dialect}` });
          }
          await createLocation(trx, actor, { name: `Group ${i} b` });
          return i;
        }).then(async (i) => {
          // Acknowledged: its own rows must be committed (visible to another connection) by now.
          seenAtAnswer.push({ own: await other.count(`Group ${i} `), all: await other.count('Group ') });
          return i;
        }),
      );
      const results = await Promise.allSettled(writers);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict', status: 409 });
      expect(seenAtAnswer.map((s) => s.own)).toEqual([2, 2, 2, 2, 2, 2, 2]);
      // SQLite: one commit held them all, so the first answer already sees every other survivor's rows.
      if (dialect === 'sqlite') expect(seenAtAnswer.map((s) => s.all)).toEqual([14, 14, 14, 14, 14, 14, 14]);
      expect(await other.count('Group 3 ')).toBe(0);
      expect(await other.count('Group ')).toBe(14);
      const names = await db.selectFrom('locations').select('name').where('name', 'like', 'Group %').orderBy('name').execute();
      expect(names.map((n) => n.name)).toEqual([0, 1, 2, 4, 5, 6, 7].flatMap((i) => [`Group ${i} a`, `Group ${i} b`]));
      const patients = await db.selectFrom('patients').select('lastName').where('accountId', '=', `GC-${dialect}`).execute();
      expect(patients.map((p) => p.lastName)).toEqual(['Taken']);
    } finally {
      await other.close();
    }
  });

  it('an acknowledged payment survives a SIGKILL right after the answer', async () => {
    const database = await createTestDatabase(dialect);
    const dataDir = database.handle.file ? database.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-gc-'));
    try {
      const practice = await createPractice(database.handle.db, { slug: 'gc', name: 'Group Commit Clinic' });
      const { token } = await createApiToken(database.handle.db, cliActor(practice.id), { role: 'admin' });
      const server = await startHealthyServer({ dataDir, databaseUrl: database.databaseUrl, dialect });
      const post = async (p: string, body: unknown) => {
        const response = await fetch(`${server.url}/api/v1${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(response.status).toBe(201);
        return (await response.json()) as { id: string };
      };
      const patient = await post('/patients', { firstName: 'Kill', lastName: 'Nine', dateOfBirth: '1980-01-01' });
      const paid = await Promise.all(Array.from({ length: 6 }, (_, i) => post('/payments', { patientId: patient.id, amountCents: 1000 + i, method: 'cash', status: 'paid' })));
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server.child.once('exit', resolve));
      await stopServer(server);
      // The test's own connection was open all along; SQLite reads the WAL the killed process left.
      const rows = await database.handle.db.selectFrom('payments').select(['id', 'amountCents', 'status']).where('patientId', '=', patient.id).orderBy('amountCents').execute();
      expect(rows).toEqual(paid.map((p, i) => ({ id: p.id, amountCents: 1000 + i, status: 'paid' })));
      expect(await verifyLedger(database.handle.db)).toEqual([]);
    } finally {
      await database.drop();
      if (!database.handle.file) fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
