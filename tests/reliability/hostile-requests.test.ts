import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { dialects } from '../helpers/test-database.ts';
import { useTestApp } from '../helpers/test-app.ts';
import { countChanges, directInserts, tableCounter } from './db-helpers.ts';
import { injectCall, makeFixtures, recordFigures, type Answer, type CallOptions } from './harness.ts';
import { fillPath, routesToCheck, routeTable } from './routes.ts';

/**
 * Requests generated from the OpenAPI document, each a valid request with
 * one part made hostile: NUL and other control characters, huge, negative
 * and fractional numbers, unicode, 1 MB strings, wrong types, wrong content
 * types, malformed JSON and multipart. Every answer must be below 500, and a
 * refused request must change no table (verify clean at the end).
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20261129);
const MB = 'x'.repeat(1024 * 1024);

const hostileString = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '%00', '\u0000'.repeat(5), '\uFFFF', '\uD800', '😀👩‍👩‍👧‍👦', 'Ω≈ç√∫', '‮gnp.exe', ' ', '', '../../etc/passwd', "' or 1=1 --", '<script>', MB),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -2147483649, 2147483648, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 1.5, 0.1, 99999999999999999999, 5e-324),
  fc.double(),
  fc.integer(),
);
const hostileValue = fc.oneof(hostileString, hostileNumber, fc.constantFrom(null, true, [], {}, [null], { '\u0000': 1 }, '12', '1e3', 'NaN'));

interface Failure {
  route: string;
  input: string;
  status: number;
  body: string;
  wrote?: Record<string, number>;
}

/** Percent-encodes any string, lone surrogates included (encodeURIComponent throws on those). */
function pct(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function describeValue(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 60)}… (${s.length} chars)` : s;
}

describe.each(dialects)('hostile requests from the OpenAPI document on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('never answers 5xx and never half-writes a refused request', async () => {
    const call = injectCall(t.app);
    const doc = (await call('GET', '/api/v1/openapi.json')).json;
    const routes = routesToCheck(doc);
    expect(routes.filter((r) => !routeTable[r.key]).map((r) => r.key), 'routes missing from tests/reliability/routes.ts').toEqual([]);
    const db = t.database.handle.db;
    const practiceId = t.admin.actor.practiceId;
    const fx = await makeFixtures(call, t.admin.token, directInserts(db, practiceId));
    // Portal attempts are recorded before the check by design (ADR 0006): a refused lookup writes one.
    const counts = await tableCounter(db, ['portal_attempts']);
    const failures: Failure[] = [];
    const partial: Failure[] = [];
    let requests = 0;
    let refused = 0;
    let before = await counts();

    const send = async (key: string, input: string, method: string, url: string, options: CallOptions) => {
      let answer: Answer;
      try {
        answer = await call(method, url, { token: t.admin.token, ...options });
      } catch (error) {
        answer = { status: 599, headers: {}, text: String(error), json: undefined };
      }
      requests++;
      // GETs are not counted (they write nothing, and counting every one doubles the run).
      const after = method === 'GET' ? before : await counts();
      if (answer.status >= 500) failures.push({ route: key, input, status: answer.status, body: answer.text.slice(0, 200) });
      if (answer.status >= 400) {
        refused++;
        const wrote = countChanges(before, after);
        if (Object.keys(wrote).length > 0) partial.push({ route: key, input, status: answer.status, body: answer.text.slice(0, 200), wrote });
      }
      before = after;
    };

    let sample = 0;
    for (const route of routes) {
      const c = routeTable[route.key]!;
      const params = c.params?.(fx) ?? {};
      const query = c.query?.(fx) ?? '';
      const body = c.body?.(fx);
      const values = fc.sample(hostileValue, { seed: SEED + sample++, numRuns: 12 });
      const url = (p: Record<string, string>, q = query) => fillPath(route.path, p) + q;
      const valid = (): CallOptions => (c.raw ? { raw: c.raw(fx).raw, contentType: c.raw(fx).contentType } : body === undefined ? {} : { body });

      // Path parameters.
      for (const name of Object.keys(params)) {
        for (const v of ['\u0000', `${params[name]}\u0000`, 'x'.repeat(5000)]) {
          await send(route.key, `path ${name}=${describeValue(v)}`, route.method, url({ ...params, [name]: v }), valid());
        }
      }
      // Query parameters of the document.
      for (const p of (route.operation.parameters ?? []).filter((p: any) => p.in === 'query')) {
        for (const v of values.slice(0, 2)) {
          const q = `?${pct(p.name)}=${pct(typeof v === 'string' ? v.slice(0, 2000) : JSON.stringify(v))}`;
          await send(route.key, `query ${p.name}=${describeValue(v)}`, route.method, url(params, q), valid());
        }
      }
      if (route.method === 'GET' || route.method === 'DELETE') continue;
      // Body fields, one at a time.
      if (body && typeof body === 'object') {
        const fields = Array.isArray(body) ? Object.keys(body[0] ?? {}) : Object.keys(body);
        for (const [i, field] of fields.entries()) {
          for (const v of [values[i % values.length], '\u0000', [-1, 1.5, 1e308, MB][i % 4]]) {
            const changed = Array.isArray(body) ? [{ ...body[0], [field]: v }] : { ...(body as object), [field]: v };
            await send(route.key, `body ${field}=${describeValue(v)}`, route.method, url(params), { body: changed });
          }
        }
      }
      // Whole bodies of the wrong shape.
      for (const v of [null, [], { unexpected: '\u0000' }]) {
        await send(route.key, `body=${describeValue(v)}`, route.method, url(params), { raw: JSON.stringify(v), contentType: 'application/json' });
      }
      // Wrong content types and malformed payloads.
      const malformed: Array<[string, string | Buffer, string]> = [
        ['malformed JSON', '{"amountCents": 1', 'application/json'],
        ['JSON with a NUL escape', JSON.stringify({ ...(typeof body === 'object' && !Array.isArray(body) ? body : {}), memo: 'a\u0000b' }), 'application/json'],
        ['text/plain body', 'hello', 'text/plain'],
        ['form-urlencoded body', 'a=1&b=%00', 'application/x-www-form-urlencoded'],
        ['multipart without boundary', '--x\r\n\r\n', 'multipart/form-data'],
        ['truncated multipart', '--BOUND\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG', 'multipart/form-data; boundary=BOUND'],
        ['multipart with a NUL field name', '--B\r\nContent-Disposition: form-data; name="\u0000"; filename="\u0000.png"\r\n\r\nabc\r\n--B--\r\n', 'multipart/form-data; boundary=B'],
        ['binary garbage', Buffer.from(fc.sample(fc.uint8Array({ minLength: 64, maxLength: 64 }), { seed: SEED, numRuns: 1 })[0]!), 'application/octet-stream'],
        ['no content type', 'x', ''],
      ];
      for (const [input, raw, contentType] of malformed) {
        await send(route.key, input, route.method, url(params), contentType ? { raw, contentType } : { raw, contentType: undefined, headers: {} });
      }
    }

    const verify = await verifyLedger(db);
    recordFigures(`hostile requests (${dialect})`, {
      seed: SEED,
      routes: routes.length,
      requests,
      refused,
      answers5xx: failures.length,
      partialWrites: partial.length,
      verifyProblems: verify.length,
      failures5xx: failures,
      partialWriteList: partial,
    });
    expect(failures, '5xx answers').toEqual([]);
    expect(partial, 'refused requests that wrote').toEqual([]);
    expect(verify).toEqual([]);
  });
});
