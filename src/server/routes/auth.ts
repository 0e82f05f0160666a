import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { actorFromSession, describeUser, logIn, logOut } from '../../services/auth/authenticate.ts';
import { actorOf, SESSION_COOKIE } from '../plugins/authentication.ts';

const me = z.object({
  user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string(), role: z.string() }),
  practice: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
});

export async function authRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/auth/login',
    {
      config: { public: true, rateLimit: { max: config.loginAttemptsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the web app (sets the session cookie)',
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) }),
        response: { 200: me },
      },
    },
    async (request, reply) => {
      const session = await logIn(db, request.body.email, request.body.password, config.sessionDays);
      void reply.setCookie(SESSION_COOKIE, session.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        expires: new Date(session.expiresAt),
      });
      const signedIn = await actorFromSession(db, session.sessionToken);
      return describeUser(db, signedIn!);
    },
  );

  r.post(
    '/auth/logout',
    { config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { tags: ['auth'], summary: 'Sign out' } },
    async (request, reply) => {
      const session = request.cookies[SESSION_COOKIE];
      if (session) await logOut(db, session);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  r.get(
    '/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user and practice', response: { 200: me } } },
    async (request) => describeUser(db, actorOf(request)),
  );
}
