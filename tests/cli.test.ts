import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { newId, nowIso } from '../src/db/ids.ts';
import { buildApp } from '../src/server/app.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { runLedger, startHealthyServer, stopServer } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

describe.each(dialects)('the ledger CLI and server start on %s', (dialect) => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    env = { DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl ?? '', DEMO_DATA: 'false' };
  });
  afterAll(async () => database?.drop());

  const ledger = (...args: string[]) => runLedger(args, env, 60_000);

  it('creates a practice, a user and a token, and verifies the ledger', async () => {
    expect(await ledger('practice', 'create', '--slug', 'cli-clinic', '--name', 'CLI Clinic')).toMatchObject({ code: 0 });
    expect((await ledger('user', 'create', '--practice', 'cli-clinic', '--email', 'ops@cli.example', '--password', 'long enough', '--role', 'admin')).code).toBe(0);
    const token = await ledger('token', 'create', '--practice', 'cli-clinic', '--role', 'biller');
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);
    expect(await ledger('token', 'create', '--practice', 'nope', '--role', 'biller')).toMatchObject({ code: 2 });
    expect((await ledger('seed', '--practice', 'cli-clinic', '--patients', '30', '--payments', '300')).code).toBe(0);
    const verify = await ledger('verify');
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain('Ledger balances');
    // Seven CLI processes, each compiled by tsx: seconds apiece on a busy machine.
  }, 180_000);

  it('makes verify fail, saying what is off, when the journal and the payments disagree', async () => {
    const db = database.handle.db;
    const payment = await db.selectFrom('payments').selectAll().where('status', '=', 'paid').limit(1).executeTakeFirstOrThrow();
    // Tamper as a bug would: a journal entry that moves money without a record behind it.
    const entryId = newId();
    await db.insertInto('journalEntries').values({ id: entryId, practiceId: payment.practiceId, kind: 'refund', paymentId: payment.id, memo: 'tamper', createdAt: nowIso(), createdBy: 'test' }).execute();
    await db
      .insertInto('journalLines')
      .values([
        { id: newId(), entryId, practiceId: payment.practiceId, account: 'patient_unapplied', patientId: payment.patientId, paymentId: payment.id, treatmentId: null, amountCents: 500 },
        { id: newId(), entryId, practiceId: payment.practiceId, account: 'cash_clearing', patientId: payment.patientId, paymentId: payment.id, treatmentId: null, amountCents: -400 },
      ])
      .execute();
    const verify = await ledger('verify');
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('entry_balances');
    expect(verify.stderr).toContain('payment_balances');
    await db.deleteFrom('journalLines').where('entryId', '=', entryId).execute();
    await db.deleteFrom('journalEntries').where('id', '=', entryId).execute();
    expect((await ledger('verify')).code).toBe(0);
  }, 120_000);

  it('starts the server on an empty database with the demo practice, answering /health and the demo login', async () => {
    const fresh = await createTestDatabase(dialect);
    try {
      // Migrating and seeding the demo practice can take a while on a busy machine.
      const server = await startHealthyServer({ dataDir: fresh.dataDir, databaseUrl: fresh.databaseUrl, dialect, timeoutMs: 120_000, env: { DEMO_DATA: 'true' } });
      try {
        const base = server.url;
        const login = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'biller@demo.example', password: 'ledger-demo' }),
        });
        expect(login.status).toBe(200);
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const payments = (await (await fetch(`${base}/api/v1/payments?pageSize=1`, { headers: { cookie } })).json()) as { total: number };
        expect(payments.total).toBeGreaterThanOrEqual(150);
        const dashboard = (await (await fetch(`${base}/api/v1/dashboard`, { headers: { cookie } })).json()) as { byStatus: Record<string, number> };
        for (const status of ['draft', 'pending', 'processing', 'paid', 'failed', 'cancelled', 'voided']) {
          expect(dashboard.byStatus[status], status).toBeGreaterThan(0);
        }
      } finally {
        await stopServer(server);
      }
    } finally {
      await fresh.drop();
    }
  }, 240_000);

  it('creates named tokens with an expiry (printing only the token), lists them without the token, and revokes one: it then answers 401', async () => {
    // Each CLI run starts a process (seconds on a busy machine): the practice is made directly.
    await createPractice(database.handle.db, { slug: 'tok', name: 'Token Clinic' });
    const created = await ledger('token', 'create', '--practice', 'tok', '--role', 'biller', '--name', 'EHR nightly', '--expires-in-days', '90');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    const forever = await ledger('token', 'create', '--practice', 'tok', '--role', 'admin');
    expect(forever.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);

    const app = await buildApp({ config: loadConfig({ DATA_DIR: database.dataDir, DEMO_DATA: 'false' }), database: database.handle });
    try {
      const call = (bearer: string) => app.inject({ method: 'GET', url: '/api/v1/payments', headers: { authorization: `Bearer ${bearer}` } });
      expect((await call(token)).statusCode).toBe(200);

      const list = await ledger('token', 'list', '--practice', 'tok');
      expect(list.code).toBe(0);
      expect(list.stdout).not.toContain(token);
      const rows = list.stdout.trim().split('\n').map((line) => line.split('\t'));
      expect(rows[0]).toEqual(['id', 'state', 'role', 'name', 'created', 'expires', 'last used']);
      const nightly = rows.find((r) => r[3] === 'EHR nightly')!;
      expect(nightly.slice(1, 4)).toEqual(['active', 'biller', 'EHR nightly']);
      expect(Date.parse(nightly[5]!) - Date.parse(nightly[4]!)).toBe(90 * 86_400_000);
      expect(nightly[6]).not.toBe('never'); // used just now
      expect(rows.find((r) => r[3] === 'admin token')!.slice(1, 6).filter((_, i) => i !== 3)).toEqual(['active', 'admin', 'admin token', 'never']);

      const revoked = await ledger('token', 'revoke', nightly[0]!);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked token ${nightly[0]}`);
      expect((await call(token)).statusCode).toBe(401);
      expect((await call(forever.stdout.trim())).statusCode).toBe(200);
      const state = await database.handle.db.selectFrom('apiTokens').select(['revokedAt']).where('id', '=', nightly[0]!).executeTakeFirstOrThrow();
      expect(state.revokedAt).not.toBeNull();
    } finally {
      await app.close();
    }
  }, 300_000);
});
