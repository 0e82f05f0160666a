import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

const root = path.resolve(import.meta.dirname, '..');
const ledgerBin = path.join(root, 'bin', 'ledger.mjs');

describe.each(dialects)('the ledger CLI and server start on %s', (dialect) => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    env = { ...process.env, DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl ?? '', DEMO_DATA: 'false' };
  });
  afterAll(async () => database?.drop());

  function ledger(...args: string[]) {
    const result = spawnSync(process.execPath, [ledgerBin, ...args], { env, encoding: 'utf8', cwd: root, timeout: 60_000 });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('creates a practice, a user and a token, and verifies the ledger', () => {
    expect(ledger('practice', 'create', '--slug', 'cli-clinic', '--name', 'CLI Clinic')).toMatchObject({ code: 0 });
    expect(ledger('user', 'create', '--practice', 'cli-clinic', '--email', 'ops@cli.example', '--password', 'long enough', '--role', 'admin').code).toBe(0);
    const token = ledger('token', 'create', '--practice', 'cli-clinic', '--role', 'biller');
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);
    expect(ledger('token', 'create', '--practice', 'nope', '--role', 'biller')).toMatchObject({ code: 2 });
    expect(ledger('seed', '--practice', 'cli-clinic', '--patients', '30', '--payments', '300').code).toBe(0);
    const verify = ledger('verify');
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
    const verify = ledger('verify');
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('entry_balances');
    expect(verify.stderr).toContain('payment_balances');
    await db.deleteFrom('journalLines').where('entryId', '=', entryId).execute();
    await db.deleteFrom('journalEntries').where('id', '=', entryId).execute();
    expect(ledger('verify').code).toBe(0);
  }, 120_000);

  it('starts the server on an empty database with the demo practice, answering /health and the demo login', async () => {
    const port = String(3400 + Math.floor(Math.random() * 400) + (dialect === 'postgres' ? 400 : 0));
    const fresh = await createTestDatabase(dialect);
    const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts')], {
      env: { ...process.env, DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.databaseUrl ?? '', PORT: port, DEMO_DATA: 'true', LOG_LEVEL: 'warn' },
      cwd: root,
      stdio: 'ignore',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      let healthy = false;
      // Migrating and seeding the demo practice can take a while on a busy machine.
      for (let i = 0; i < 480 && !healthy; i++) {
        healthy = await fetch(`${base}/health`).then((r) => r.ok, () => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 250));
      }
      expect(healthy).toBe(true);
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
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      await fresh.drop();
    }
  }, 240_000);
});
