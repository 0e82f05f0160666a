import { describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/test-app.ts';

/** Helmet's headers on every answer (computed once at start-up, src/server/plugins/security-headers.ts). */
describe('security headers', () => {
  const t = useTestApp('sqlite');

  it("are on every kind of answer — health, the API (even refused), the OpenAPI document, a page — and the API docs keep their own CSP", async () => {
    // The web app's pages answer 200 once it is built, 404 before (vitest runs before the build): the headers are there either way.
    const answers = await Promise.all(['/health', '/api/v1/payments', '/api/v1/openapi.json', '/no-such-page'].map((url) => t.app.inject({ method: 'GET', url })));
    expect(answers.slice(0, 3).map((a) => a.statusCode)).toEqual([200, 401, 200]);
    expect([200, 404]).toContain(answers[3]!.statusCode);
    for (const a of answers) {
      expect(String(a.headers['content-security-policy']).split(';').sort()).toEqual(
        [
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data: blob:",
          "connect-src 'self'",
          "frame-src 'self'",
          "base-uri 'self'",
          "font-src 'self' https: data:",
          "form-action 'self'",
          "frame-ancestors 'self'",
          "object-src 'none'",
          "script-src-attr 'none'",
        ].sort(),
      );
      expect(a.headers).toMatchObject({
        'x-frame-options': 'SAMEORIGIN',
        'x-content-type-options': 'nosniff',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(a.headers['x-powered-by']).toBeUndefined();
    }
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(String(docs.headers['content-security-policy'])).not.toBe(String(answers[0]!.headers['content-security-policy']));
  });
});
