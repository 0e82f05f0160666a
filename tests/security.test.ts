import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { buildApp } from '../src/server/app.ts';
import { createUser } from '../src/services/auth/create-user.ts';
import { cliActor } from '../src/services/actor.ts';
import { makeLocation, makePatient, makePayment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

/** Signs a staff user in through the API, as the web app does; returns the Cookie header. */
async function signIn(t: TestApp, role: 'admin' | 'biller' | 'front_desk', email: string): Promise<string> {
  await createUser(t.database.handle.db, cliActor(t.admin.actor.practiceId), { email, password: 'correct horse 1', role, name: `Web ${role}` });
  const login = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email, password: 'correct horse 1' } });
  json(login, 200);
  const cookie = login.cookies.find((c) => c.name === 'pl_session');
  expect(cookie).toBeDefined();
  return `pl_session=${cookie!.value}`;
}

async function countOf(t: TestApp, table: 'patients' | 'payments' | 'locations'): Promise<number> {
  const row = await t.database.handle.db
    .selectFrom(table as 'patients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function multipart(boundary: string, field: string, fileName: string, type: string, content: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${boundary}--\r\n`;
}

describe.each(dialects)('security rules on %s', (dialect) => {
  const t = useTestApp(dialect);

  describe('NUL characters', () => {
    it('answer 400 problem+json validation_failed in a path id, a query and a body string, and write nothing', async () => {
      const patient = await makePatient(t);
      const before = { patients: await countOf(t, 'patients'), payments: await countOf(t, 'payments') };
      const attempts: Array<[any, string, unknown?]> = [
        ['GET', '/api/v1/payments/%00abc'],
        ['GET', `/api/v1/patients/${patient.id}%00`],
        ['POST', '/api/v1/payments/x%00y/status', { status: 'paid' }],
        ['GET', '/api/v1/patients?search=Pat%00'],
        ['GET', '/api/v1/payments?search=%00&status=paid'],
        ['POST', '/api/v1/patients', { firstName: 'Nu\u0000l', lastName: 'Byte', dateOfBirth: '1980-01-01' }],
        ['POST', '/api/v1/payments', { patientId: patient.id, amountCents: 100, memo: 'a\u0000b' }],
        ['POST', '/api/v1/payments', { patientId: `${patient.id}\u0000`, amountCents: 100 }],
        ['POST', '/api/v1/locations', { name: '\u0000' }],
        ['POST', '/api/v1/portal/lookup', { dateOfBirth: '1980-04-12', accountId: 'A\u00001' }],
      ];
      for (const [method, url, body] of attempts) {
        const response = await t.request(method, url, { body });
        expect({ url, status: response.statusCode, type: response.headers['content-type'], code: response.json().code }).toEqual({
          url,
          status: 400,
          type: 'application/problem+json; charset=utf-8',
          code: 'validation_failed',
        });
      }
      expect({ patients: await countOf(t, 'patients'), payments: await countOf(t, 'payments') }).toEqual(before);
    });
  });

  describe('cross-site writes with a cookie session', () => {
    it('are refused with 403 problem+json for JSON, text/plain, body-less and multipart writes; same-origin and bearer writes pass', async () => {
      const cookie = await signIn(t, 'admin', `csrf-${dialect}@alpha.example`);
      const patient = await makePatient(t);
      const paymentsBefore = await countOf(t, 'payments');
      const foreign = { cookie, origin: 'https://evil.example' };
      const attempts: Array<{ url: string; headers: Record<string, string>; payload?: string }> = [
        { url: '/api/v1/payments', headers: { ...foreign, 'content-type': 'application/json' }, payload: JSON.stringify({ patientId: patient.id, amountCents: 5000 }) },
        { url: '/api/v1/payments', headers: { cookie, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, payload: JSON.stringify({ patientId: patient.id, amountCents: 5000 }) },
        { url: '/api/v1/payments', headers: { cookie, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, payload: JSON.stringify({ patientId: patient.id, amountCents: 5000 }) },
        { url: '/api/v1/payments', headers: { cookie, origin: 'null', 'content-type': 'application/json' }, payload: JSON.stringify({ patientId: patient.id, amountCents: 5000 }) },
        { url: '/api/v1/remittances', headers: { ...foreign, 'content-type': 'text/plain' }, payload: 'ISA*00*~' },
        { url: '/api/v1/tasks/some-task/dismiss', headers: foreign },
        {
          url: '/api/v1/jobs/refund-review',
          headers: { ...foreign, 'content-type': 'multipart/form-data; boundary=XyZ' },
          payload: multipart('XyZ', 'asOf', 'a.txt', 'text/plain', '2026-01-01'),
        },
        { url: '/api/v1/auth/logout', headers: foreign },
        { url: '/api/v1/auth/login', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'x@y.z', password: 'p' }) },
      ];
      for (const attempt of attempts) {
        const response = await t.app.inject({ method: 'POST', url: attempt.url, headers: attempt.headers, ...(attempt.payload ? { payload: attempt.payload } : {}) });
        expect({ url: attempt.url, status: response.statusCode, type: response.headers['content-type'], code: response.json().code }).toEqual({
          url: attempt.url,
          status: 403,
          type: 'application/problem+json; charset=utf-8',
          code: 'cross_site_refused',
        });
      }
      expect(await countOf(t, 'payments')).toBe(paymentsBefore);
      // The cookie still works: the logout above was refused too.
      json(await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie, origin: 'https://evil.example' } }), 200);

      // The web app: same origin by Sec-Fetch-Site, by Origin = Host, or by Origin = PUBLIC_URL.
      const body = JSON.stringify({ patientId: patient.id, amountCents: 1234 });
      const sameOrigin = [
        { cookie, 'sec-fetch-site': 'same-origin', origin: 'http://localhost:3000' },
        { cookie, origin: 'http://localhost:80', host: 'localhost:80' },
        { cookie, origin: 'http://10.1.2.3:3000', host: '10.1.2.3:3000' },
        { cookie, origin: 'http://ledger.test' },
        { cookie }, // no browser headers at all: not a browser page
      ];
      for (const headers of sameOrigin) {
        const response = await t.app.inject({ method: 'POST', url: '/api/v1/payments', headers: { ...headers, 'content-type': 'application/json' }, payload: body });
        expect(json(response, 201).amountCents).toBe(1234);
      }
      // An integrator's token is not an ambient credential: its Origin does not matter.
      const bearer = await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, amountCents: 4321 }, headers: { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' } });
      expect(json(bearer, 201).amountCents).toBe(4321);
      expect(await countOf(t, 'payments')).toBe(paymentsBefore + 6);
    });
  });

  describe('Cache-Control', () => {
    it('is no-store on authenticated answers, errors and portal answers', async () => {
      const patient = await makePatient(t, undefined, { accountId: `CC-${dialect}` });
      const answers = [
        await t.request('GET', '/api/v1/payments'),
        await t.request('GET', `/api/v1/patients/${patient.id}`),
        await t.request('GET', '/api/v1/payments/nope'),
        await t.request('GET', '/api/v1/payments', { as: null }),
        await t.request('POST', '/api/v1/portal/lookup', { as: null, body: { dateOfBirth: '1980-04-12', accountId: `CC-${dialect}` } }),
      ];
      expect(answers.map((a) => [a.statusCode, a.headers['cache-control']])).toEqual([
        [200, 'no-store'],
        [200, 'no-store'],
        [404, 'no-store'],
        [401, 'no-store'],
        [200, 'no-store'],
      ]);
    });
  });

  describe('API tokens', () => {
    it('admins create (shown once), list (never the token, with last use), and revoke; revoked and expired tokens answer 401', async () => {
      const created = json(await t.request('POST', '/api/v1/api-tokens', { body: { name: 'EHR sync', role: 'biller', expiresInDays: 30 } }), 201);
      expect(created).toMatchObject({ name: 'EHR sync', role: 'biller' });
      expect(created.token).toMatch(/^pl_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(30 * 86_400_000);
      const as = { token: created.token, actor: t.biller.actor };

      json(await t.request('GET', '/api/v1/payments', { as }), 200);
      const list = json(await t.request('GET', '/api/v1/api-tokens'), 200);
      const listed = list.items.find((i: { id: string }) => i.id === created.id);
      expect(listed).toMatchObject({ name: 'EHR sync', role: 'biller', state: 'active', revokedAt: null, expiresAt: created.expiresAt });
      expect(listed.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(list)).not.toContain(created.token);
      expect(Object.keys(listed)).not.toContain('token');
      expect(Object.keys(listed)).not.toContain('tokenHash');

      // Only admins manage tokens; another practice's token is not found.
      expect(json(await t.request('GET', '/api/v1/api-tokens', { as: t.biller }), 403).code).toBe('forbidden');
      expect(json(await t.request('POST', '/api/v1/api-tokens', { as: t.frontDesk, body: { name: 'x', role: 'admin' } }), 403).code).toBe('forbidden');
      expect(json(await t.request('DELETE', `/api/v1/api-tokens/${created.id}`, { as: t.otherAdmin }), 404).code).toBe('not_found');
      json(await t.request('GET', '/api/v1/payments', { as }), 200);

      const revoked = json(await t.request('DELETE', `/api/v1/api-tokens/${created.id}`), 200);
      expect(revoked).toMatchObject({ id: created.id, state: 'revoked' });
      expect(json(await t.request('GET', '/api/v1/payments', { as }), 401).code).toBe('unauthenticated');

      // Expired: a token whose expiry has passed.
      const shortLived = json(await t.request('POST', '/api/v1/api-tokens', { body: { name: 'one day', role: 'front_desk', expiresInDays: 1 } }), 201);
      const shortAs = { token: shortLived.token, actor: t.frontDesk.actor };
      json(await t.request('GET', '/api/v1/payments', { as: shortAs }), 200);
      await t.database.handle.db.updateTable('apiTokens').set({ expiresAt: new Date(Date.now() - 1000).toISOString() }).where('id', '=', shortLived.id).execute();
      expect(json(await t.request('GET', '/api/v1/payments', { as: shortAs }), 401).code).toBe('unauthenticated');
      const states = json(await t.request('GET', '/api/v1/api-tokens'), 200).items.filter((i: { id: string }) => [created.id, shortLived.id].includes(i.id));
      expect(states.map((s: { name: string; state: string }) => [s.name, s.state]).sort()).toEqual([
        ['EHR sync', 'revoked'],
        ['one day', 'expired'],
      ]);
      // Bad expiry.
      expect(json(await t.request('POST', '/api/v1/api-tokens', { body: { name: 'x', role: 'admin', expiresInDays: 0 } }), 400).code).toBe('validation_failed');
      // The trail says who made and revoked it.
      const trail = json(await t.request('GET', `/api/v1/audit-events?entityType=api_token&entityId=${created.id}`), 200);
      expect(trail.items.map((e: { action: string }) => e.action)).toEqual(['api_token.revoked', 'api_token.created']);
    });
  });

  describe('the audit trail', () => {
    it('answers who changed a record, when, from what to what, for admins and billers, paged, per practice, read-only', async () => {
      const patient = await makePatient(t, undefined, { firstName: 'Audra', lastName: 'Trail' });
      const payment = await makePayment(t, patient.id, { amountCents: 5000, memo: 'first' });
      json(await t.request('PATCH', `/api/v1/payments/${payment.id}`, { body: { memo: 'second', amountCents: 6000 }, as: t.biller }), 200);

      const url = `/api/v1/audit-events?entityType=payment&entityId=${payment.id}`;
      const trail = json(await t.request('GET', url, { as: t.biller }), 200);
      expect(trail.total).toBe(trail.items.length);
      expect(trail.items.length).toBeGreaterThanOrEqual(2);
      const [latest] = trail.items;
      expect(latest).toMatchObject({
        entityType: 'payment',
        entityId: payment.id,
        actor: { type: 'token', id: t.biller.actor.id, name: 'API token "biller token"' },
      });
      expect(latest.before).toMatchObject({ amountCents: 5000, memo: 'first' });
      expect(latest.after).toMatchObject({ amountCents: 6000, memo: 'second' });
      expect(Date.parse(latest.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      const created = trail.items[trail.items.length - 1];
      expect(created.actor).toMatchObject({ type: 'token', id: t.admin.actor.id });
      expect(trail.items.every((e: { entityId: string }) => e.entityId === payment.id)).toBe(true);

      // Paged.
      const page1 = json(await t.request('GET', `${url}&pageSize=1&page=1`), 200);
      const page2 = json(await t.request('GET', `${url}&pageSize=1&page=2`), 200);
      expect([page1.items.length, page2.items.length, page1.total]).toEqual([1, 1, trail.total]);
      expect(page1.items[0].id).toBe(trail.items[0].id);
      expect(page2.items[0].id).toBe(trail.items[1].id);

      // The patient's own trail.
      const patientTrail = json(await t.request('GET', `/api/v1/audit-events?entityType=patient&entityId=${patient.id}`), 200);
      expect(patientTrail.items[0]).toMatchObject({ entityId: patient.id, after: expect.objectContaining({ firstName: 'Audra' }) });

      // Front desk may not read it; another practice sees none of it.
      expect(json(await t.request('GET', url, { as: t.frontDesk }), 403).code).toBe('forbidden');
      expect(json(await t.request('GET', url, { as: t.otherAdmin }), 200)).toMatchObject({ items: [], total: 0 });
      // Nothing edits or deletes it.
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        expect((await t.request(method, `/api/v1/audit-events/${latest.id}`, { body: method === 'DELETE' ? undefined : { action: 'x' } })).statusCode).toBe(404);
      }
      expect((await t.request('POST', '/api/v1/audit-events', { body: { action: 'x' } })).statusCode).toBe(404);
      expect(json(await t.request('GET', url), 200).items).toEqual(trail.items);
    });
  });

  describe('dates in a plausible range', () => {
    it('refuses dates of birth outside 1900-01-01..today, service dates over a year ahead, and as-of dates over a year ahead', async () => {
      const patientsBefore = await countOf(t, 'patients');
      const ahead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
      for (const dateOfBirth of ['9999-01-01', '1899-12-31', ahead(3)]) {
        const response = await t.request('POST', '/api/v1/patients', { body: { firstName: 'A', lastName: 'B', dateOfBirth } });
        expect({ dateOfBirth, ...json(response, 400) }).toMatchObject({ dateOfBirth, code: 'validation_failed' });
      }
      expect(await countOf(t, 'patients')).toBe(patientsBefore);
      const oldest = await makePatient(t, undefined, { dateOfBirth: '1900-01-01' });
      const newborn = await makePatient(t, undefined, { dateOfBirth: ahead(0) });
      expect([oldest.dateOfBirth, newborn.dateOfBirth]).toEqual(['1900-01-01', ahead(0)]);

      const location = await makeLocation(t);
      const treatment = (serviceDate: string) =>
        t.request('POST', '/api/v1/treatments', { body: { patientId: oldest.id, locationId: location.id, serviceDate, physician: 'Dr. T', lines: [{ cpt: '99213', chargeCents: 100 }] } });
      expect(json(await treatment(ahead(400)), 400).code).toBe('validation_failed');
      expect(json(await treatment('9999-12-31'), 400).code).toBe('validation_failed');
      expect(json(await treatment('1899-12-31'), 400).code).toBe('validation_failed');
      expect(json(await treatment(ahead(300)), 201).serviceDate).toBe(ahead(300));

      expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { body: { asOf: '9999-01-01' } }), 400).code).toBe('validation_failed');
      expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { body: { asOf: ahead(400) } }), 400).code).toBe('validation_failed');
      expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { body: { asOf: ahead(0) } }), 200).asOf).toBe(ahead(0));
    });
  });

  describe('malformed uploads', () => {
    it('answer 400, not 500, on every multipart route', async () => {
      const patient = await makePatient(t);
      const payment = await makePayment(t, patient.id);
      const broken = [
        { type: 'multipart/form-data; boundary=XyZ', payload: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 cut short' },
        { type: 'multipart/form-data', payload: 'no boundary at all' },
        { type: 'multipart/form-data; boundary=XyZ', payload: '--XyZ\r\nbroken header line\r\n\r\nx\r\n--XyZ--\r\n' },
      ];
      for (const url of [`/api/v1/payments/${payment.id}/documents`, '/api/v1/remittances', `/api/v1/eligibility-checks?patientId=${patient.id}`]) {
        for (const { type, payload } of broken) {
          const response = await t.request('POST', url, { headers: { 'content-type': type }, body: payload });
          expect({ url, type, status: response.statusCode, code: response.json().code }).toEqual({ url, type, status: 400, code: 'validation_failed' });
        }
      }
      expect(json(await t.request('GET', `/api/v1/payments/${payment.id}/documents`), 200).total).toBe(0);
    });
  });

  describe('location names', () => {
    it('concurrent creates of one name give one 201 and 409s, never a 500', async () => {
      const name = `Race Clinic ${dialect}`;
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.request('POST', '/api/v1/locations', { body: { name } })));
      const statuses = answers.map((a) => a.statusCode).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'conflict')).toBe(true);
      const listed = json(await t.request('GET', '/api/v1/locations'), 200).items.filter((l: { name: string }) => l.name === name);
      expect(listed).toHaveLength(1);
    });

    it.runIf(dialect === 'postgres')('two app instances (two pools) racing on one name: the unique constraint answers 409, never 500', async () => {
      // A second app on its own pool: both pass the "name taken?" read, the constraint decides.
      const second = connectDatabase({ dataDir: t.database.dataDir, databaseUrl: t.database.databaseUrl });
      const other = await buildApp({ config: t.config, database: second });
      try {
        const statuses: number[] = [];
        for (let round = 0; round < 15; round++) {
          const name = `Two pools ${round}`;
          const answers = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              (i % 2 ? other : t.app).inject({ method: 'POST', url: '/api/v1/locations', headers: { authorization: `Bearer ${t.admin.token}` }, payload: { name } }),
            ),
          );
          statuses.push(...answers.map((a) => a.statusCode));
          expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
        }
        expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
        const created = await t.database.handle.db.selectFrom('locations').select('name').where('name', 'like', 'Two pools %').execute();
        expect(created).toHaveLength(15);
      } finally {
        await other.close();
        await second.close();
      }
    });
  });

  describe('sign-out', () => {
    it('is rate limited per address', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) statuses.push((await t.request('POST', '/api/v1/auth/logout', { as: null, headers: { 'x-forwarded-for': '203.0.113.9' } })).statusCode);
      expect(statuses.slice(0, 30).every((s) => s === 204)).toBe(true);
      expect(statuses.slice(30)).toEqual([429, 429]);
    });
  });
});

/** Sign-in attempts per address and minute: 20 by default, LOGIN_ATTEMPTS_PER_MINUTE otherwise (each app its own count). */
describe('the sign-in limit', () => {
  const byDefault = useTestApp('sqlite');
  const configured = useTestApp('sqlite', { loginAttemptsPerMinute: 3 });
  const attempts = async (t: typeof byDefault, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: 'nobody@limit.example', password: 'wrong' } })).statusCode);
    return statuses;
  };

  it('refuses the 21st attempt in a minute from one address by default, right or wrong', async () => {
    const statuses = await attempts(byDefault, 22);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual([429, 429]);
  });

  it('refuses the fourth with LOGIN_ATTEMPTS_PER_MINUTE=3', async () => {
    expect(await attempts(configured, 4)).toEqual([401, 401, 401, 429]);
  });
});
