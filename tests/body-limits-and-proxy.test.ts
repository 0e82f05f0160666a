import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.ts';
import { dialects } from './helpers/test-database.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';

interface RawAnswer {
  status: number;
  body: string;
  /** How many body bytes we had sent when the answer came. */
  sentBytes: number;
}

/**
 * A POST over a real socket that announces a large Content-Length but sends
 * only `firstBytes` of it, then waits: an answer proves the server decided
 * without reading (let alone buffering) the body.
 */
function postWithoutBody(port: number, path: string, headers: Record<string, string>, contentLength: number, firstBytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from ${path} within 5 s: the server is waiting for the body`));
    }, 5000);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.slice(0, end);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const body = received.slice(end + 4);
      if (body.length < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(head.split(' ')[1]), body, sentBytes: Buffer.byteLength(firstBytes) });
    });
    const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Length: ${contentLength}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n${firstBytes}`);
  });
}

async function listen(t: TestApp): Promise<number> {
  if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
  return (t.app.server.address() as AddressInfo).port;
}

describe.each(dialects)('body limits on %s', (dialect) => {
  const t = useTestApp(dialect);

  it('refuses a 2 MB JSON login and a 190 MB text/plain login with 413 before reading the body', async () => {
    const port = await listen(t);
    const json2mb = await postWithoutBody(port, '/api/v1/auth/login', { 'content-type': 'application/json' }, 2 * 1024 * 1024, '{"email":"');
    expect(json2mb.status).toBe(413);
    expect(JSON.parse(json2mb.body)).toMatchObject({ status: 413, code: 'body_too_large' });
    const text190mb = await postWithoutBody(port, '/api/v1/auth/login', { 'content-type': 'text/plain' }, 190 * 1024 * 1024, 'ISA*');
    expect([text190mb.status, JSON.parse(text190mb.body).code]).toEqual([413, 'body_too_large']);
  });

  it('refuses a large 835 upload without credentials with 401 before reading the body', async () => {
    const port = await listen(t);
    const answer = await postWithoutBody(port, '/api/v1/remittances', { 'content-type': 'text/plain' }, 150 * 1024 * 1024, 'ISA*00*');
    expect([answer.status, JSON.parse(answer.body).code]).toEqual([401, 'unauthenticated']);
    const bad = await postWithoutBody(port, '/api/v1/remittances', { 'content-type': 'application/edi-x12', authorization: 'Bearer pl_not_a_token' }, 150 * 1024 * 1024, 'ISA*00*');
    expect([bad.status, JSON.parse(bad.body).code]).toEqual([401, 'unauthenticated']);
  });

  it('keeps 1 MB for JSON everywhere, and lets a signed-in biller send an 835 larger than that', async () => {
    const port = await listen(t);
    const bigJson = await postWithoutBody(port, '/api/v1/payments', { 'content-type': 'application/json', authorization: `Bearer ${t.admin.token}` }, 2 * 1024 * 1024, '{');
    expect([bigJson.status, JSON.parse(bigJson.body).code]).toEqual([413, 'body_too_large']);
    // A 2 MB text body on a route that is not the 835 upload: 1 MB.
    const bigText = await t.request('POST', '/api/v1/eligibility-checks', { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(2 * 1024 * 1024) });
    expect(json(bigText, 413).code).toBe('body_too_large');
    // The 835 upload takes it (and judges the file, not its size).
    const big835 = await t.request('POST', '/api/v1/remittances', { as: t.biller, headers: { 'content-type': 'text/plain' }, body: `ISA*00*${' '.repeat(2 * 1024 * 1024)}` });
    expect(big835.statusCode).not.toBe(413);
    expect(big835.statusCode).toBeLessThan(500);
  });
});

describe('TRUST_PROXY', () => {
  it('reads false, true, a hop count or proxy addresses; refuses anything else', () => {
    const of = (value?: string) => loadConfig({ ...(value === undefined ? {} : { TRUST_PROXY: value }) }).trustProxy;
    expect(of()).toBe(false);
    expect(of('false')).toBe(false);
    expect(of('true')).toBe(true);
    expect(of('2')).toBe(2);
    expect(of('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => of('everyone')).toThrow(/TRUST_PROXY/);
  });
});

// The portal's per-address limit (20 lookups a minute) is per patient behind a proxy only when the proxy is trusted.
async function lookupsUntilLimited(t: TestApp, forwardedFor: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await t.request('POST', '/api/v1/portal/lookup', {
      as: null,
      headers: { 'x-forwarded-for': forwardedFor },
      // A new account ID each time: the per-account limit in the database stays out of the way.
      body: { dateOfBirth: '1980-01-01', accountId: `NOPE-${forwardedFor}-${i}` },
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

describe.each(dialects)('the portal behind a proxy on %s', (dialect) => {
  describe('with TRUST_PROXY=true', () => {
    const t = useTestApp(dialect, { trustProxy: true });
    it('limits each client address on its own (X-Forwarded-For)', async () => {
      const first = await lookupsUntilLimited(t, '198.51.100.1', 21);
      expect(first.slice(0, 20).every((s) => s === 404)).toBe(true);
      expect(first[20]).toBe(429);
      // Another patient behind the same proxy is not locked out.
      const second = await lookupsUntilLimited(t, '198.51.100.2', 3);
      expect(second).toEqual([404, 404, 404]);
      const attempts = await t.database.handle.db.selectFrom('portalAttempts').select('clientAddress').distinct().execute();
      expect(attempts.map((a) => a.clientAddress).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    });
  });

  describe('without TRUST_PROXY (direct connections)', () => {
    const t = useTestApp(dialect);
    it('ignores X-Forwarded-For, so a client cannot pick its own address', async () => {
      const first = await lookupsUntilLimited(t, '198.51.100.1', 20);
      expect(first.every((s) => s === 404)).toBe(true);
      const spoofed = await lookupsUntilLimited(t, '198.51.100.2', 1);
      expect(spoofed).toEqual([429]);
    });
  });
});
