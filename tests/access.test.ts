import { describe, expect, it } from 'vitest';
import { createUser } from '../src/services/auth/create-user.ts';
import { makeLocation, makePatient, makePayment, makeTreatment } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

describe.each(dialects)('access on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('answers 401 problem+json without credentials or with a bad token', async () => {
    const none = await t.request('GET', '/api/v1/payments', { as: null });
    expect(json(none, 401).code).toBe('unauthenticated');
    const bad = await t.request('GET', '/api/v1/payments', { as: null, headers: { authorization: 'Bearer pl_nope' } });
    expect(json(bad, 401).code).toBe('unauthenticated');
  });

  it("answers 404 for every kind of another practice's record, for reads and writes", async () => {
    const location = await makeLocation(t, t.otherAdmin);
    const patient = await makePatient(t, t.otherAdmin);
    const treatment = await makeTreatment(t, patient.id, location.id, {}, t.otherAdmin);
    const payment = await makePayment(t, patient.id, {}, t.otherAdmin);
    const attempts: Array<[any, string, unknown?]> = [
      ['GET', `/api/v1/patients/${patient.id}`],
      ['PUT', `/api/v1/patients/${patient.id}/coverages`, []],
      ['GET', `/api/v1/treatments/${treatment.id}`],
      ['GET', `/api/v1/payments/${payment.id}`],
      ['PATCH', `/api/v1/payments/${payment.id}`, { memo: 'x' }],
      ['POST', `/api/v1/payments/${payment.id}/status`, { status: 'paid' }],
      ['POST', `/api/v1/payments/${payment.id}/notes`, { text: 'x' }],
      ['GET', `/api/v1/payments/${payment.id}/notes`],
      ['GET', `/api/v1/payments/${payment.id}/documents`],
      ['POST', `/api/v1/payments/${payment.id}/link`, { expiresInDays: 1 }],
      ['POST', '/api/v1/treatments', { patientId: patient.id, locationId: location.id, serviceDate: '2026-01-01', physician: 'X', lines: [{ cpt: '99213', chargeCents: 100 }] }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await t.request(method, url, { body });
      expect({ url, method, status: response.statusCode, code: response.json().code }).toEqual({ url, method, status: 404, code: 'not_found' });
    }
    const after = json(await t.request('GET', `/api/v1/payments/${payment.id}`, { as: t.otherAdmin }), 200);
    expect(after).toMatchObject({ status: 'pending', memo: null });
  });

  it('lets roles do only what they may', async () => {
    const denied = await t.request('POST', '/api/v1/locations', { as: t.frontDesk, body: { name: 'Nope' } });
    expect(json(denied, 403).code).toBe('forbidden');
    json(await t.request('POST', '/api/v1/locations', { as: t.admin, body: { name: 'Allowed' } }), 201);
    const patient = await makePatient(t, t.frontDesk);
    await makePayment(t, patient.id, {}, t.frontDesk);
  });

  it('signs staff in with a session cookie and out again; wrong passwords say nothing specific', async () => {
    await createUser(t.database.handle.db, t.biller.actor, { email: 'Biller@Alpha.example', password: 'correct horse', role: 'biller', name: 'Bea' });
    const wrong = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: 'biller@alpha.example', password: 'wrong' } });
    const unknown = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: 'nobody@alpha.example', password: 'wrong' } });
    expect(json(wrong, 401)).toMatchObject({ code: 'invalid_credentials' });
    expect(unknown.json().detail).toBe(wrong.json().detail);

    const login = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: 'biller@alpha.example', password: 'correct horse' } });
    expect(json(login, 200)).toMatchObject({ user: { email: 'biller@alpha.example', role: 'biller', name: 'Bea' }, practice: { slug: 'alpha', name: 'Alpha Clinic' } });
    const cookie = login.cookies.find((c) => c.name === 'pl_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const headers = { cookie: `pl_session=${cookie.value}` };
    expect(json(await t.request('GET', '/api/v1/auth/me', { as: null, headers }), 200).user.email).toBe('biller@alpha.example');
    json(await t.request('GET', '/api/v1/payments', { as: null, headers }), 200);

    expect((await t.request('POST', '/api/v1/auth/logout', { as: null, headers })).statusCode).toBe(204);
    expect((await t.request('GET', '/api/v1/auth/me', { as: null, headers })).statusCode).toBe(401);
  });

  it('stores passwords with a KDF and tokens only as hashes', async () => {
    const db = t.database.handle.db;
    const user = await db.selectFrom('users').select('passwordHash').executeTakeFirstOrThrow();
    expect(user.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    const tokens = await db.selectFrom('apiTokens').select('tokenHash').execute();
    expect(tokens.map((r) => r.tokenHash)).not.toContain(t.admin.token);
  });

  it('serves health, the OpenAPI document and the docs', async () => {
    expect(json(await t.request('GET', '/health', { as: null }), 200)).toEqual({ status: 'ok', database: dialect });
    const openapi = json(await t.request('GET', '/api/v1/openapi.json', { as: null }), 200);
    expect(openapi.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/payments', '/api/v1/payments/{id}', '/api/v1/payments/{id}/status', '/api/v1/patients', '/api/v1/dashboard']) {
      expect(Object.keys(openapi.paths)).toContain(path);
    }
    expect(openapi.paths['/api/v1/payments'].post.requestBody.content['application/json'].schema.properties.amountCents.type).toBe('integer');
    const docs = await t.request('GET', '/docs/', { as: null });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers unknown API routes with problem+json 404', async () => {
    const response = await t.request('GET', '/api/v1/nope');
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(json(response, 404).code).toBe('not_found');
  });
});
