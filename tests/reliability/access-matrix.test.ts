import { describe, expect, it } from 'vitest';
import { can, roles, type Role } from '../../src/domain/roles.ts';
import { dialects } from '../helpers/test-database.ts';
import { useTestApp } from '../helpers/test-app.ts';
import { directInserts } from './db-helpers.ts';
import { injectCall, makeFixtures, recordFigures, type Answer, type Call, type Fixtures } from './harness.ts';
import { fillPath, routeTable, routesToCheck, type RouteCase } from './routes.ts';

/**
 * Every route × no credentials × each role × another practice's admin, each
 * answer as designed: 401 without credentials (public routes excepted), 403
 * for a role without the permission, never 401/403 for one with it, 404 for
 * another practice's record, and no other practice's records in lists.
 */

// Routes whose path names no practice's record (a payer id, a link token) or whose body names one.
const notScopedByPath = new Set(['PUT /api/v1/fee-schedules/{payerId}', 'GET /api/v1/fee-schedules/{payerId}']);
const bodyNamesRecord = new Set(['POST /api/v1/treatments', 'POST /api/v1/payments', 'POST /api/v1/eligibility-checks']);

interface Failure {
  route: string;
  caller: string;
  expected: string;
  status: number;
  body: string;
}

async function send(call: Call, key: string, c: RouteCase, fx: Fixtures, token: string | null): Promise<Answer> {
  const [method, path] = key.split(' ') as [string, string];
  const url = fillPath(path, c.params?.(fx) ?? {}) + (c.query?.(fx) ?? '');
  if (c.raw) {
    const { raw, contentType } = c.raw(fx);
    return call(method, url, { raw, contentType, token });
  }
  return call(method, url, { body: c.body?.(fx), token });
}

describe.each(dialects)('access matrix on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('answers every route × caller as designed', async () => {
    const call = injectCall(t.app);
    const doc = (await call('GET', '/api/v1/openapi.json')).json;
    const routes = routesToCheck(doc);
    const missing = routes.filter((r) => !routeTable[r.key]).map((r) => r.key);
    expect(missing, 'routes of the OpenAPI document missing from tests/reliability/routes.ts').toEqual([]);

    const practiceId = t.admin.actor.practiceId;
    const fx = await makeFixtures(call, t.admin.token, directInserts(t.database.handle.db, practiceId));
    const failures: Failure[] = [];
    let checks = 0;
    const expectThat = (route: string, caller: string, expected: string, answer: Answer, ok: boolean) => {
      checks++;
      if (!ok) failures.push({ route, caller, expected, status: answer.status, body: answer.text.slice(0, 300) });
    };
    const sensitive = [fx.patientId, fx.paidPaymentId, fx.treatmentId, fx.creditId, fx.documentId];

    // Another practice first, while every record is as made.
    for (const { key } of routes) {
      const c = routeTable[key]!;
      if (c.access === 'public') continue;
      const answer = await send(call, key, c, fx, t.otherAdmin.token);
      const scoped = (c.params && !notScopedByPath.has(key)) || bodyNamesRecord.has(key);
      if (scoped) {
        expectThat(key, 'another practice', '404 not_found', answer, answer.status === 404 && answer.json?.code === 'not_found');
      } else {
        const leaked = sensitive.filter((id) => answer.text.includes(id));
        expectThat(key, 'another practice', `< 500, none of practice A's ids`, answer, answer.status < 500 && leaked.length === 0);
      }
    }
    // No credentials, and a token that is not one.
    for (const { key } of routes) {
      const c = routeTable[key]!;
      for (const [caller, token] of [['no credentials', null], ['a bad token', 'pl_not-a-token']] as const) {
        const answer = await send(call, key, c, fx, token);
        if (c.access === 'public') {
          // A bad token on a public route is ignored; the route answers as to anyone (its own 401s, such as
          // a wrong password or an ended portal session, are its answer to the body, not a credentials check).
          expectThat(key, caller, 'no staff-credentials 401/403, < 500', answer, !['unauthenticated', 'forbidden'].includes(answer.json?.code) && answer.status < 500);
        } else {
          expectThat(key, caller, '401 unauthenticated', answer, answer.status === 401 && answer.json?.code === 'unauthenticated');
        }
      }
    }
    // Each role: forbidden ones first (they must change nothing), then the allowed.
    const tokens: Record<Role, string> = { admin: t.admin.token, biller: t.biller.token, front_desk: t.frontDesk.token };
    const allowed = (c: RouteCase, role: Role) => c.access === 'public' || c.access === 'staff' || can(role, c.access);
    for (const pass of ['forbidden', 'allowed'] as const) {
      for (const { key } of routes) {
        const c = routeTable[key]!;
        for (const role of roles) {
          if ((pass === 'allowed') !== allowed(c, role)) continue;
          const answer = await send(call, key, c, fx, tokens[role]);
          if (pass === 'forbidden') expectThat(key, role, '403 forbidden', answer, answer.status === 403 && answer.json?.code === 'forbidden');
          else if (c.access === 'public') expectThat(key, role, 'no staff-credentials 401/403, < 500', answer, !['unauthenticated', 'forbidden'].includes(answer.json?.code) && answer.status < 500);
          else expectThat(key, role, 'not 401/403, < 500', answer, ![401, 403].includes(answer.status) && answer.status < 500);
        }
      }
    }
    recordFigures(`access matrix (${dialect})`, { routes: routes.length, checks, failures: failures.length, failureList: failures });
    expect(failures).toEqual([]);
    await t.expectLedgerBalances();
  });
});
