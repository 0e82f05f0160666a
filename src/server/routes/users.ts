import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { id, listOf } from '../../contracts/common.ts';
import { acceptInviteBody, invitedUser, inviteDetails, inviteUserBody, sessionUser, staffUser, updateUserBody } from '../../contracts/practice-setup.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/transaction.ts';
import { actorFromSession, describeUser } from '../../services/auth/authenticate.ts';
import { acceptInvite, describeInvite } from '../../services/users/accept-invite.ts';
import { inviteStaffUser, listStaffUsers, reissueInvite, updateStaffUser } from '../../services/users/staff-users.ts';
import { actorOf, SESSION_COOKIE } from '../plugins/authentication.ts';

const token = z.object({ token: z.string().min(10).max(200) });

/** Staff users (admins): invite by a one-time link, change roles, deactivate. The invite page is public. */
export async function userRoutes(app: FastifyInstance, { db, config }: { db: Db; config: Config }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/users',
    { config: { permission: 'users:write' }, schema: { tags: ['users'], summary: "The practice's staff users with role and state", response: { 200: listOf(staffUser) } } },
    async (request) => listStaffUsers(db, actorOf(request)),
  );
  r.post(
    '/users',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Invite a staff user: creates them without a password and answers a one-time link (/invite/<token>, valid 7 days, shown this once)',
        body: inviteUserBody,
        response: { 201: invitedUser },
      },
    },
    async (request, reply) => reply.status(201).send(await inviteStaffUser(db, actorOf(request), request.body)),
  );
  r.post(
    '/users/:id/invite',
    {
      config: { permission: 'users:write' },
      schema: { tags: ['users'], summary: 'A new invite link for a user who has not set a password (the earlier link stops working)', params: z.object({ id }), response: { 201: invitedUser } },
    },
    async (request, reply) => reply.status(201).send(await reissueInvite(db, actorOf(request), request.params.id)),
  );
  r.patch(
    '/users/:id',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        summary: "Change a user's role or deactivate them (their sessions end, login is refused); the last active admin cannot be demoted or deactivated (409)",
        params: z.object({ id }),
        body: updateUserBody,
        response: { 200: staffUser },
      },
    },
    async (request) => updateStaffUser(db, actorOf(request), request.params.id, request.body),
  );

  r.get(
    '/invites/:token',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: { tags: ['users'], summary: 'Whose invite this is (before the password is set)', params: token, response: { 200: inviteDetails } },
    },
    async (request) => describeInvite(db, request.params.token),
  );
  r.post(
    '/invites/:token/accept',
    {
      config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: { tags: ['users'], summary: 'Set the password of an invited user and sign them in (the link works once)', params: token, body: acceptInviteBody, response: { 200: sessionUser } },
    },
    async (request, reply) => {
      const session = await acceptInvite(db, request.params.token, request.body.password, config.sessionDays);
      void reply.setCookie(SESSION_COOKIE, session.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: config.secureCookies,
        expires: new Date(session.expiresAt),
      });
      return describeUser(db, (await actorFromSession(db, session.sessionToken))!);
    },
  );
}
