import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor, type Actor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createUser } from '../src/services/auth/create-user.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { inviteStaffUser } from '../src/services/users/staff-users.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

/**
 * The last-admin rule and one-time invites under a race: two real server
 * processes on one PostgreSQL database (read committed, where a read-then-write
 * check lets both requests through unless something serialises them).
 */
describe('staff races across two server processes on postgres', () => {
  let database: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  let token = '';
  let actor: Actor;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'staff-races', name: 'Staff Race Clinic' });
    actor = cliActor(practice.id);
    token = (await createApiToken(db, actor, { role: 'admin' })).token;
    servers.push(await startServer(database), await startServer(database));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect: 'postgres' })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    await database?.drop();
  }, 30_000);

  const call = async (i: number, method: string, url: string, body?: unknown, auth = true) => {
    const response = await fetch(`${servers[i % 2]!.url}/api/v1${url}`, {
      method,
      headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('two admins demoted at once on two servers: one change wins, one 409, one admin is left', async () => {
    const db = database!.handle.db;
    const a = await createUser(db, actor, { email: 'a@races.example', password: 'password a', role: 'admin', name: 'A' });
    const b = await createUser(db, actor, { email: 'b@races.example', password: 'password b', role: 'admin', name: 'B' });
    for (let round = 0; round < 8; round++) {
      await db.updateTable('users').set({ role: 'admin', disabledAt: null }).where('id', 'in', [a.id, b.id]).execute();
      // Alternate demotion and deactivation: both must be serialised.
      const body = round % 2 === 0 ? { role: 'biller' } : { active: false };
      const answers = await Promise.all([call(0, 'PATCH', `/users/${a.id}`, body), call(1, 'PATCH', `/users/${b.id}`, body)]);
      expect(answers.map((x) => x.status).sort(), JSON.stringify(answers)).toEqual([200, 409]);
      const admins = await db.selectFrom('users').select('id').where('practiceId', '=', actor.practiceId).where('role', '=', 'admin').where('disabledAt', 'is', null).execute();
      expect(admins).toHaveLength(1);
    }
  });

  it('one invite link accepted twice at once on two servers: one password is set, one 410', async () => {
    const invited = await inviteStaffUser(database!.handle.db, actor, { email: 'c@races.example', name: 'C', role: 'biller' });
    const url = `${invited.inviteUrl.replace('/invite/', '/invites/')}/accept`;
    const answers = await Promise.all([call(0, 'POST', url, { password: 'first password' }, false), call(1, 'POST', url, { password: 'second password' }, false)]);
    expect(answers.map((x) => x.status).sort(), JSON.stringify(answers)).toEqual([200, 410]);
    const logins = await Promise.all(['first password', 'second password'].map((password) => call(0, 'POST', '/auth/login', { email: 'c@races.example', password }, false)));
    expect(logins.map((x) => x.status).sort()).toEqual([200, 401]);
  });
});
