import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { newId, nowIso } from '../src/db/ids.ts';
import { loggerOptions, redactUrl } from '../src/server/logging.ts';
import { cliActor } from '../src/services/actor.ts';
import { createUser } from '../src/services/auth/create-user.ts';
import { makeLocation } from './helpers/factories.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp } from './helpers/test-app.ts';

/** Every line the server logs, at the most verbose level. */
function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: loggerOptions('trace', stream) };
}

describe('redactUrl', () => {
  it('keeps the path, drops the query and blanks payment-link tokens', () => {
    expect(redactUrl('/api/v1/patients?search=Smith')).toBe('/api/v1/patients');
    expect(redactUrl('/api/v1/pay/abcDEF123_-x')).toBe('/api/v1/pay/[redacted]');
    expect(redactUrl('/pay/abcDEF123_-x?x=1')).toBe('/pay/[redacted]');
  });
});

describe.each(dialects)('logs of a full run on %s', (dialect) => {
  const captured = captureLogs();
  const t = useTestApp(dialect, {}, { logger: captured.logger });

  it('logs one line per request (method, redacted path, status, time), none on arrival', async () => {
    const before = captured.lines.length;
    json(await t.request('GET', '/api/v1/payments?search=Quixotic'), 200);
    json(await t.request('GET', '/health', { as: null }), 200);
    expect((await t.request('GET', '/api/v1/payments/not-a-payment')).statusCode).toBe(404);
    const lines = captured.lines.slice(before).map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.filter((l) => l.msg === 'incoming request')).toEqual([]);
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done.map((l) => [l.req.method, l.req.url, l.res.statusCode])).toEqual([
      ['GET', '/api/v1/payments', 200],
      ['GET', '/health', 200],
      ['GET', '/api/v1/payments/not-a-payment', 404],
    ]);
    for (const l of done) expect(typeof l.responseTime).toBe('number');
  });

  it('hold no token, password, name, date of birth, account ID or database detail', async () => {
    const secrets: Record<string, string> = {
      password: 'Sekrit-Passw0rd!',
      firstName: 'Zebulon',
      lastName: 'Quixotic',
      dateOfBirth: '1971-07-23',
      accountId: 'ACCT-98765',
      adminToken: t.admin.token,
    };
    const email = `logs-${dialect}@alpha.example`;
    await createUser(t.database.handle.db, cliActor(t.admin.actor.practiceId), { email, password: secrets.password!, role: 'admin', name: 'Log Reader' });
    json(await t.request('POST', '/api/v1/auth/login', { as: null, body: { email, password: 'wrong password' } }), 401);
    const login = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email, password: secrets.password } });
    json(login, 200);
    const session = login.cookies.find((c) => c.name === 'pl_session')!.value;
    secrets.session = session;
    const asCookie = { as: null, headers: { cookie: `pl_session=${session}` } };

    const patient = json(
      await t.request('POST', '/api/v1/patients', { ...asCookie, body: { firstName: secrets.firstName, lastName: secrets.lastName, dateOfBirth: secrets.dateOfBirth, accountId: secrets.accountId } }),
      201,
    );
    json(await t.request('GET', `/api/v1/patients?search=${secrets.lastName}`, asCookie), 200);
    // A duplicate account ID: refused, and the refusal names no account ID in the logs.
    expect((await t.request('POST', '/api/v1/patients', { body: { firstName: 'Other', lastName: 'Person', dateOfBirth: '1980-01-01', accountId: secrets.accountId } })).statusCode).toBe(409);
    const location = await makeLocation(t);
    const treatment = json(
      await t.request('POST', '/api/v1/treatments', { body: { patientId: patient.id, locationId: location.id, serviceDate: '2026-03-02', physician: 'Dr. Log', lines: [{ cpt: '99213', chargeCents: 9000 }] } }),
      201,
    );
    const payment = json(await t.request('POST', '/api/v1/payments', { body: { patientId: patient.id, treatmentId: treatment.id, amountCents: 2500 } }), 201);
    const link = json(await t.request('POST', `/api/v1/payments/${payment.id}/link`, { body: { expiresInDays: 3 } }), 201);
    const linkToken = new URL(link.url).pathname.split('/').pop()!;
    secrets.linkToken = linkToken;
    json(await t.request('GET', `/api/v1/pay/${linkToken}`, { as: null }), 200);
    await t.request('GET', `/pay/${linkToken}`, { as: null });
    json(await t.request('POST', `/api/v1/pay/${linkToken}`, { as: null, body: { card: '4242424242424242' } }), 200);

    const lookup = json(await t.request('POST', '/api/v1/portal/lookup', { as: null, body: { dateOfBirth: secrets.dateOfBirth, accountId: secrets.accountId } }), 200);
    secrets.portalToken = lookup.portalToken;
    json(await t.request('POST', '/api/v1/portal/account', { as: null, body: { portalToken: lookup.portalToken } }), 200);
    expect((await t.request('POST', '/api/v1/portal/lookup', { as: null, body: { dateOfBirth: '1971-07-24', accountId: secrets.accountId } })).statusCode).toBe(404);

    const created = json(await t.request('POST', '/api/v1/api-tokens', { body: { name: 'integration', role: 'biller' } }), 201);
    secrets.apiToken = created.token;
    json(await t.request('GET', '/api/v1/payments', { as: { token: created.token, actor: t.biller.actor } }), 200);
    await t.request('GET', '/api/v1/payments', { as: null, headers: { authorization: 'Bearer pl_guessed-token-value' } });
    secrets.guessedToken = 'pl_guessed-token-value';

    // An unexpected database error, logged the way the error handler logs one.
    const db = t.database.handle.db;
    const error = await db
      .insertInto('patients')
      .values({
        id: newId(),
        practiceId: t.admin.actor.practiceId,
        firstName: 'Dup',
        lastName: 'Licate',
        searchName: 'dup licate',
        dateOfBirth: secrets.dateOfBirth!,
        accountId: secrets.accountId!,
        email: null,
        phone: null,
        createdAt: nowIso(),
      })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeDefined();
    if (dialect === 'postgres') expect(JSON.stringify((error as { detail?: string }).detail)).toContain(secrets.accountId);
    t.app.log.error({ err: error }, 'unexpected error');

    const log = captured.lines.join('');
    expect(log).toContain('request completed');
    expect(log).toContain('/api/v1/pay/[redacted]');
    expect(log).toContain(dialect === 'postgres' ? '"code":"23505"' : 'SQLITE_CONSTRAINT');
    const leaked = Object.entries(secrets).filter(([, value]) => log.includes(value));
    expect(leaked.map(([what]) => what)).toEqual([]);
    // Not even URL-encoded or as the search the lookup would run.
    expect(log.toLowerCase()).not.toContain('quixotic');
    expect(log).not.toContain(encodeURIComponent(secrets.linkToken!));
  });
});
