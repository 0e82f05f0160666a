import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { buildApp } from '../src/server/app.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

const root = path.resolve(import.meta.dirname, '..');
const ledgerBin = path.join(root, 'bin', 'ledger.mjs');

describe.each(dialects)('ledger token create / list / revoke on %s', (dialect) => {
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

  it('creates named tokens with an expiry (printing only the token), lists them without the token, and revokes one: it then answers 401', async () => {
    // Each CLI run starts a process (seconds on a busy machine): the practice is made directly.
    await createPractice(database.handle.db, { slug: 'tok', name: 'Token Clinic' });
    const created = ledger('token', 'create', '--practice', 'tok', '--role', 'biller', '--name', 'EHR nightly', '--expires-in-days', '90');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);
    const token = created.stdout.trim();
    const forever = ledger('token', 'create', '--practice', 'tok', '--role', 'admin');
    expect(forever.stdout).toMatch(/^pl_[A-Za-z0-9_-]{43}\n$/);

    const app = await buildApp({ config: loadConfig({ DATA_DIR: database.dataDir, DEMO_DATA: 'false' }), database: database.handle });
    try {
      const call = (bearer: string) => app.inject({ method: 'GET', url: '/api/v1/payments', headers: { authorization: `Bearer ${bearer}` } });
      expect((await call(token)).statusCode).toBe(200);

      const list = ledger('token', 'list', '--practice', 'tok');
      expect(list.code).toBe(0);
      expect(list.stdout).not.toContain(token);
      const rows = list.stdout.trim().split('\n').map((line) => line.split('\t'));
      expect(rows[0]).toEqual(['id', 'state', 'role', 'name', 'created', 'expires', 'last used']);
      const nightly = rows.find((r) => r[3] === 'EHR nightly')!;
      expect(nightly.slice(1, 4)).toEqual(['active', 'biller', 'EHR nightly']);
      expect(Date.parse(nightly[5]!) - Date.parse(nightly[4]!)).toBe(90 * 86_400_000);
      expect(nightly[6]).not.toBe('never'); // used just now
      expect(rows.find((r) => r[3] === 'admin token')!.slice(1, 6).filter((_, i) => i !== 3)).toEqual(['active', 'admin', 'admin token', 'never']);

      const revoked = ledger('token', 'revoke', nightly[0]!);
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
