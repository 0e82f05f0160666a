import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { InviteDetails, InvitedUser, InviteUserBody, StaffUser, UpdateUserBody } from '../../../../src/contracts/practice-setup.ts';
import { api } from '../../api/client';
import type { Page, Session } from '../../api/types';
import { sessionKey } from '../auth/session';

const usersKey = ['users'];

export function useStaffUsers() {
  return useQuery({ queryKey: usersKey, queryFn: ({ signal }) => api.get<Page<StaffUser>>('/users', undefined, signal) });
}

export function useInviteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: InviteUserBody) => api.post<InvitedUser>('/users', body),
    onSuccess: () => void client.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useReissueInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api.post<InvitedUser>(`/users/${encodeURIComponent(userId)}/invite`),
    onSuccess: () => void client.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UpdateUserBody & { id: string }) => api.patch<StaffUser>(`/users/${encodeURIComponent(id)}`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: usersKey }),
  });
}

export function useInvite(token: string) {
  return useQuery({
    queryKey: ['invite', token],
    queryFn: ({ signal }) => api.get<InviteDetails>(`/invites/${encodeURIComponent(token)}`, undefined, signal),
    retry: false,
  });
}

/** Sets the password and signs in: the answer is the new session. */
export function useAcceptInvite(token: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.post<Session>(`/invites/${encodeURIComponent(token)}/accept`, { password }),
    onSuccess: (session) => {
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
      client.setQueryData(sessionKey, session);
    },
  });
}

/** The full address of an invite link the API answers as a path. */
export function inviteLink(inviteUrl: string): string {
  return `${window.location.origin}${inviteUrl}`;
}
