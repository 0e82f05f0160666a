import { describe, expect, it } from 'vitest';
import { pdfText } from './helpers/pdf-text.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

let counter = 0;

async function invite(t: TestApp, role: 'admin' | 'biller' | 'front_desk', as = t.admin) {
  counter++;
  return json(await t.request('POST', '/api/v1/users', { as, body: { email: `Staff${counter}@Alpha.example`, name: `Staff ${counter}`, role } }), 201);
}

function tokenOf(inviteUrl: string): string {
  const match = /^\/invite\/(pli_[A-Za-z0-9_-]+)$/.exec(inviteUrl);
  expect(match, inviteUrl).not.toBeNull();
  return match![1]!;
}

/** Accepts an invite and returns the session cookie header it signed in with. */
async function accept(t: TestApp, inviteUrl: string, password = 'a long password') {
  const response = await t.request('POST', `/api/v1/invites/${tokenOf(inviteUrl)}/accept`, { as: null, body: { password } });
  json(response, 200);
  const cookie = response.cookies.find((c) => c.name === 'pl_session')!;
  return { cookie: `pl_session=${cookie.value}` };
}

describe.each(dialects)('staff users and invites on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('invites a user by a one-time link: stored hashed, no password until accepted, then signed in; the link works once', async () => {
    const invited = await invite(t, 'biller');
    expect(invited.user).toMatchObject({ email: `staff${counter}@alpha.example`, role: 'biller', active: true, invitePending: true });
    const token = tokenOf(invited.inviteUrl);
    const days = (Date.parse(invited.inviteExpiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const db = t.database.handle.db;
    const stored = await db.selectFrom('userInvites').select('tokenHash').where('userId', '=', invited.user.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect(stored[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    // No password yet: nothing signs in as this user.
    const noPassword = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: invited.user.email, password: '' + 'x'.repeat(8) } });
    expect(json(noPassword, 401).code).toBe('invalid_credentials');

    expect(json(await t.request('GET', `/api/v1/invites/${token}`, { as: null }), 200)).toMatchObject({ email: invited.user.email, practiceName: 'Alpha Clinic' });
    const tooShort = await t.request('POST', `/api/v1/invites/${token}/accept`, { as: null, body: { password: 'short' } });
    expect(json(tooShort, 400).code).toBe('validation_failed');

    const session = await accept(t, invited.inviteUrl);
    expect(json(await t.request('GET', '/api/v1/auth/me', { as: null, headers: session }), 200).user).toMatchObject({ email: invited.user.email, role: 'biller' });
    const again = await t.request('POST', `/api/v1/invites/${token}/accept`, { as: null, body: { password: 'another password' } });
    expect(json(again, 410).code).toBe('invite_used');
    expect(json(await t.request('GET', `/api/v1/invites/${token}`, { as: null }), 410).code).toBe('invite_used');
    // The first password stands.
    json(await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: invited.user.email, password: 'a long password' } }), 200);
    const listed = json(await t.request('GET', '/api/v1/users'), 200).items.find((u: any) => u.id === invited.user.id);
    expect(listed).toMatchObject({ invitePending: false, active: true });

    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=user&entityId=${invited.user.id}`), 200);
    expect(audit.items.map((e: any) => e.action).sort()).toEqual(['user.invite_accepted', 'user.invited']);
  });

  it('refuses an expired invite link and a made-up one; a new link replaces the old', async () => {
    const invited = await invite(t, 'front_desk');
    await t.database.handle.db
      .updateTable('userInvites')
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where('userId', '=', invited.user.id)
      .execute();
    const expired = await t.request('POST', `/api/v1/invites/${tokenOf(invited.inviteUrl)}/accept`, { as: null, body: { password: 'a long password' } });
    expect(json(expired, 410).code).toBe('invite_expired');
    expect(json(await t.request('GET', '/api/v1/invites/pli_madeupmadeupmadeup', { as: null }), 404).code).toBe('not_found');

    const fresh = json(await t.request('POST', `/api/v1/users/${invited.user.id}/invite`), 201);
    expect(fresh.inviteUrl).not.toBe(invited.inviteUrl);
    await accept(t, fresh.inviteUrl);
    const user = await t.database.handle.db.selectFrom('users').select('passwordHash').where('id', '=', invited.user.id).executeTakeFirstOrThrow();
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    // Set a password: no more links for this user.
    expect(json(await t.request('POST', `/api/v1/users/${invited.user.id}/invite`), 409).code).toBe('conflict');
  });

  it('deactivating a user ends their sessions and refuses their login; activating lets them sign in again', async () => {
    const invited = await invite(t, 'front_desk');
    const session = await accept(t, invited.inviteUrl);
    json(await t.request('GET', '/api/v1/payments', { as: null, headers: session }), 200);

    const off = json(await t.request('PATCH', `/api/v1/users/${invited.user.id}`, { body: { active: false } }), 200);
    expect(off).toMatchObject({ active: false, role: 'front_desk' });
    expect(json(await t.request('GET', '/api/v1/payments', { as: null, headers: session }), 401).code).toBe('unauthenticated');
    const sessions = await t.database.handle.db.selectFrom('sessions').select('id').where('userId', '=', invited.user.id).execute();
    expect(sessions).toEqual([]);
    const login = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: invited.user.email, password: 'a long password' } });
    expect(json(login, 401).code).toBe('invalid_credentials');

    json(await t.request('PATCH', `/api/v1/users/${invited.user.id}`, { body: { active: true, role: 'biller' } }), 200);
    const back = await t.request('POST', '/api/v1/auth/login', { as: null, body: { email: invited.user.email, password: 'a long password' } });
    expect(json(back, 200).user.role).toBe('biller');
    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=user&entityId=${invited.user.id}`), 200);
    expect(audit.items.filter((e: any) => e.action === 'user.updated').map((e: any) => e.after)).toEqual([
      { role: 'biller', active: true },
      { role: 'front_desk', active: false },
    ]);
  });

  it('keeps one active admin: the last one cannot demote or deactivate themselves (409), and nothing changes', async () => {
    const first = await invite(t, 'admin');
    const firstSession = await accept(t, first.inviteUrl);
    const asFirst = { as: null, headers: { ...firstSession } } as const;

    const demote = await t.request('PATCH', `/api/v1/users/${first.user.id}`, { ...asFirst, body: { role: 'biller' } });
    expect(json(demote, 409).code).toBe('conflict');
    const deactivate = await t.request('PATCH', `/api/v1/users/${first.user.id}`, { ...asFirst, body: { active: false } });
    expect(json(deactivate, 409).code).toBe('conflict');
    const still = await t.database.handle.db.selectFrom('users').select(['role', 'disabledAt']).where('id', '=', first.user.id).executeTakeFirstOrThrow();
    expect(still).toEqual({ role: 'admin', disabledAt: null });

    // An admin who has not accepted the invite cannot sign in: they do not count.
    const pending = await invite(t, 'admin');
    expect(json(await t.request('PATCH', `/api/v1/users/${first.user.id}`, { ...asFirst, body: { role: 'biller' } }), 409).code).toBe('conflict');
    await accept(t, pending.inviteUrl);
    const demoted = json(await t.request('PATCH', `/api/v1/users/${first.user.id}`, { ...asFirst, body: { role: 'biller' } }), 200);
    expect(demoted.role).toBe('biller');
    // Now a biller: managing users is no longer theirs.
    expect(json(await t.request('GET', '/api/v1/users', asFirst), 403).code).toBe('forbidden');
    expect(json(await t.request('PATCH', `/api/v1/users/${pending.user.id}`, { body: { active: false } }), 409).code).toBe('conflict');
  });

  it('lets only admins manage users; another practice’s user is 404; bad input writes nothing', async () => {
    const someone = await invite(t, 'biller');
    for (const as of [t.biller, t.frontDesk]) {
      expect(json(await t.request('GET', '/api/v1/users', { as }), 403).code).toBe('forbidden');
      expect(json(await t.request('POST', '/api/v1/users', { as, body: { email: 'x@alpha.example', name: 'X', role: 'admin' } }), 403).code).toBe('forbidden');
      expect(json(await t.request('PATCH', `/api/v1/users/${someone.user.id}`, { as, body: { role: 'admin' } }), 403).code).toBe('forbidden');
    }
    expect(json(await t.request('PATCH', `/api/v1/users/${someone.user.id}`, { as: t.otherAdmin, body: { active: false } }), 404).code).toBe('not_found');
    expect(json(await t.request('POST', `/api/v1/users/${someone.user.id}/invite`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('GET', '/api/v1/users', { as: t.otherAdmin }), 200).items.map((u: any) => u.id)).not.toContain(someone.user.id);

    const db = t.database.handle.db;
    const count = async () => Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const countInvites = async () => Number((await db.selectFrom('userInvites').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const invitesBefore = await countInvites();
    const bad = await t.request('POST', '/api/v1/users', { body: { email: 'not-an-email', name: 'X', role: 'owner' } });
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(json(bad, 400).code).toBe('validation_failed');
    expect(json(await t.request('POST', '/api/v1/users', { body: { email: someone.user.email.toUpperCase(), name: 'Twin', role: 'biller' } }), 409).code).toBe('conflict');
    expect(json(await t.request('PATCH', `/api/v1/users/${someone.user.id}`, { body: { role: 'owner' } }), 400).code).toBe('validation_failed');
    expect(await count()).toBe(before);
    expect(await countInvites()).toBe(invitesBefore);
  });
});

describe.each(dialects)('practice setup on %s', (dialect) => {
  const t = useTestApp(dialect, { refundReviewDays: 45 });

  it('renames and deactivates locations: listed after active ones, refused for new visits, audited', async () => {
    const a = json(await t.request('POST', '/api/v1/locations', { body: { name: 'Main St' } }), 201);
    const b = json(await t.request('POST', '/api/v1/locations', { body: { name: 'Annex' } }), 201);
    expect(a.active).toBe(true);
    json(await t.request('POST', '/api/v1/locations', { body: { name: 'Taken' } }), 201);
    expect(json(await t.request('PATCH', `/api/v1/locations/${a.id}`, { body: { name: 'Taken' } }), 409).code).toBe('conflict');
    expect(json(await t.request('PATCH', `/api/v1/locations/${a.id}`, { body: { name: 'Main Street' } }), 200)).toMatchObject({ name: 'Main Street', active: true });
    expect(json(await t.request('PATCH', `/api/v1/locations/${b.id}`, { body: { active: false } }), 200).active).toBe(false);
    const list = json(await t.request('GET', '/api/v1/locations'), 200);
    expect(list.items.map((l: any) => [l.name, l.active])).toEqual([
      ['Main Street', true],
      ['Taken', true],
      ['Annex', false],
    ]);
    const patient = json(await t.request('POST', '/api/v1/patients', { body: { firstName: 'Lo', lastName: 'Cation', dateOfBirth: '1990-01-01' } }), 201);
    const visit = await t.request('POST', '/api/v1/treatments', { body: { patientId: patient.id, locationId: b.id, serviceDate: '2026-03-02', physician: 'Dr. X', lines: [{ cpt: '99213', chargeCents: 100 }] } });
    expect(json(visit, 422).code).toBe('business_rule');
    expect(json(await t.request('PATCH', `/api/v1/locations/${b.id}`, { as: t.biller, body: { active: true } }), 403).code).toBe('forbidden');
    expect(json(await t.request('PATCH', `/api/v1/locations/${b.id}`, { as: t.otherAdmin, body: { active: true } }), 404).code).toBe('not_found');
    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=location&entityId=${b.id}`), 200);
    expect(audit.items[0]).toMatchObject({ action: 'location.updated', before: { name: 'Annex', active: true }, after: { name: 'Annex', active: false } });
  });

  it('sets refund review days and a statement message; the review and the statement use them', async () => {
    const initial = json(await t.request('GET', '/api/v1/practice'), 200);
    expect(initial).toMatchObject({ refundReviewDays: 45, statementMessage: null });
    const bad = await t.request('PATCH', '/api/v1/practice', { body: { refundReviewDays: 0 } });
    expect(json(bad, 400).code).toBe('validation_failed');
    expect(json(await t.request('PATCH', '/api/v1/practice', { as: t.biller, body: { refundReviewDays: 30 } }), 403).code).toBe('forbidden');
    const saved = json(await t.request('PATCH', '/api/v1/practice', { body: { refundReviewDays: 30, statementMessage: '  Payment plans available: call us.  ' } }), 200);
    expect(saved).toMatchObject({ refundReviewDays: 30, statementMessage: 'Payment plans available: call us.' });
    expect(json(await t.request('GET', '/api/v1/practice', { as: t.otherAdmin }), 200)).toMatchObject({ refundReviewDays: 45, statementMessage: null });
    const audit = json(await t.request('GET', `/api/v1/audit-events?entityType=practice&entityId=${saved.id}`), 200);
    expect(audit.items[0]).toMatchObject({ before: { refundReviewDays: null, statementMessage: null }, after: { refundReviewDays: 30, statementMessage: 'Payment plans available: call us.' } });
    // The review without days uses the practice's 30; the statement prints the message.
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.biller, body: { asOf: '2026-05-06' } }), 200).days).toBe(30);
    expect(json(await t.request('POST', '/api/v1/jobs/refund-review', { as: t.otherAdmin, body: { asOf: '2026-05-06' } }), 200).days).toBe(45);
    const patient = json(await t.request('POST', '/api/v1/patients', { body: { firstName: 'Stat', lastName: 'Ement', dateOfBirth: '1990-01-01' } }), 201);
    const pdf = await t.request('GET', `/api/v1/patients/${patient.id}/statement.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdfText(pdf.rawPayload)).toContain('Payment plans available: call us.');
    const cleared = json(await t.request('PATCH', '/api/v1/practice', { body: { statementMessage: '' } }), 200);
    expect(cleared.statementMessage).toBeNull();
  });
});
