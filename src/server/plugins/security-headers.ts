import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers (CSP, HSTS, frame and referrer policies, …) on
 * every answer. Our policy has no per-request part (no nonces), so helmet
 * runs once at start-up against a recording response and each request only
 * copies the finished headers — instead of building helmet's middleware and
 * parsing the CSP per request, as @fastify/helmet does (7 % of a /health
 * request's CPU, issue 12). A route that sets its own header (the API docs'
 * static CSP) keeps it: a handler's header comes after this one.
 */
export const securityHeaders = fp(async (app: FastifyInstance, options: HelmetOptions) => {
  const headers = await headersOf(options);
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
});

/** The headers helmet sets with these options, as it sets them. */
export async function headersOf(options: HelmetOptions): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return recorder;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  await new Promise<void>((resolve, reject) => {
    helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => (error ? reject(error as Error) : resolve()));
  });
  return headers;
}
