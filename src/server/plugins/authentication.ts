import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import { assertCan, type Permission } from '../../domain/roles.ts';
import type { Db } from '../../db/transaction.ts';
import type { Actor } from '../../services/actor.ts';
import { actorFromApiToken, actorFromSession } from '../../services/auth/authenticate.ts';
import { isApiPath } from './guarded-paths.ts';

export const SESSION_COOKIE = 'pl_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in (health, login, the patient portal). */
    public?: boolean;
    /** What the caller's role must allow. */
    permission?: Permission;
  }
}

/**
 * Who is calling: an API token (Authorization: Bearer) or the web app's
 * session cookie. Every /api and /fhir route needs one unless marked public; the
 * route's permission is checked against the caller's role before the handler.
 */
export const authentication = fp(async (app: FastifyInstance, options: { db: Db }) => {
  app.decorateRequest('actor', undefined);
  // Callback-style: pages and /health (not API paths) pass without a promise each (issue 12, ADR 0031).
  app.addHook('onRequest', (request, _reply, done) => {
    if (!isApiPath(request.url)) return done();
    authenticate(request).then(() => done(), done);
  });

  async function authenticate(request: FastifyRequest): Promise<void> {
    const config = request.routeOptions.config;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      request.actor = await actorFromApiToken(options.db, header.slice(7).trim());
      if (!request.actor && !config.public) throw new AppError('unauthenticated', 'The API token is not valid or was revoked.');
    } else {
      const session = request.cookies[SESSION_COOKIE];
      if (session) request.actor = await actorFromSession(options.db, session);
    }
    if (config.public) return;
    if (!request.actor) throw new AppError('unauthenticated', 'Sign in, or send an API token as Authorization: Bearer <token>.');
    if (config.permission) assertCan(request.actor.role, config.permission);
  }
});

/** The signed-in caller; routes that are not public always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('unauthenticated', 'Sign in first.');
  return request.actor;
}
