import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import { isApiPath } from './guarded-paths.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks every request gets in one place, not per route:
 * - cross-site writes with a cookie session are refused (CSRF);
 * - NUL characters anywhere in the input fields are refused (PostgreSQL text
 *   cannot hold them, and no field of ours needs one); uploaded files are left
 *   to their readers;
 * - answers of the API are never cached (they carry patient data).
 */
export const requestGuards = fp(async (app: FastifyInstance, options: { publicUrl: string }) => {
  const publicHost = new URL(options.publicUrl).host;

  // The hooks are callback-style, not async: they run on every request (pages, /health, the API), and
  // an async hook costs a promise per request for checks that never wait (issue 12, ADR 0031).

  // onRequest: before the body is read, so a refused write costs nothing.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!isApiPath(request.url) || safeMethods.has(request.method)) return done();
    if (request.headers.authorization?.startsWith('Bearer ')) return done(); // not a browser's ambient credential
    if (isCrossSite(request, publicHost)) {
      return done(new AppError('cross_site_refused', 'Requests from another site may not change anything here. Use the app, or an API token.'));
    }
    done();
  });

  app.addHook('preValidation', (request, _reply, done) => {
    if (/%00/.test(request.url) || hasNul(request.params) || hasNul(request.query) || hasNul(request.body) || hasNulInHeaders(request)) {
      return done(new AppError('validation_failed', 'The request contains a NUL character (\\u0000), which no field accepts.'));
    }
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (isApiPath(request.url) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    done(null, payload);
  });
});

/**
 * A browser tells where a request comes from: Sec-Fetch-Site (modern
 * browsers, trusted first), else Origin. Requests with neither are not from a
 * browser page (curl, a server), so there is no ambient cookie to abuse.
 */
function isCrossSite(request: FastifyRequest, publicHost: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (origin === undefined || origin === '') return false;
  let host: string;
  try {
    host = new URL(origin).host; // "null" (sandboxed frames, file:) does not parse: foreign
  } catch {
    return true;
  }
  // URL drops a scheme's default port ("http://x:80" → "x"); a Host header may keep it.
  const hostHeader = request.host.replace(/:(80|443)$/, '');
  return host !== hostHeader && host !== publicHost;
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  // Only parsed fields (plain objects and arrays) are walked. A raw file body — a Buffer, or a stream
  // still arriving (an 835) — is bytes, not a field: its own reader refuses bad bytes with a typed 422.
  // (Walking a stream's object graph would block the event loop: it reaches the socket and the server.)
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && prototype !== Object.prototype && prototype !== null) return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('\u0000') || hasNul(v, depth + 1)) return true;
  }
  return false;
}

function hasNulInHeaders(request: FastifyRequest): boolean {
  for (const v of Object.values(request.headers)) {
    if (typeof v === 'string' ? v.includes('\u0000') : Array.isArray(v) && v.some((x) => x.includes('\u0000'))) return true;
  }
  return false;
}
