/**
 * The patient-facing API, called from a patient's browser: no staff cookie is
 * sent (credentials: 'omit'), problem+json answers become ApiError like
 * everywhere else in the app.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { cardEntry, chargeOutcome, linkStartResult, paymentLinkView, portalAccount, portalLookup, portalLookupBody, portalPayResult, portalStartResult } from '../../../src/contracts/portal.ts';
import { API_BASE, ApiError, newIdempotencyKey } from '../api/client';

export type PortalAccount = z.infer<typeof portalAccount>;
export type PortalLookup = z.infer<typeof portalLookup>;
export type PortalLookupRequest = z.input<typeof portalLookupBody>;
export type PortalPayResult = z.infer<typeof portalPayResult>;
export type PaymentLinkView = z.infer<typeof paymentLinkView>;
export type ChargeOutcome = z.infer<typeof chargeOutcome>;
export type CardEntry = z.infer<typeof cardEntry>;
export type PortalStartResult = z.infer<typeof portalStartResult>;
export type LinkStartResult = z.infer<typeof linkStartResult>;

export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', title: 'Cannot reach the server', detail: 'Check your connection and try again.' });
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    throw new ApiError({
      status: response.status,
      code: text(data.code) || `http_${response.status}`,
      title: text(data.title) || 'Request failed',
      detail: text(data.detail),
    });
  }
  return data as T;
}

/** How this server takes cards: the sandbox's test-card field, or Stripe's element. */
export function useCardEntry() {
  return useQuery({ queryKey: ['card-entry'], queryFn: () => call<CardEntry>('GET', '/card-entry'), staleTime: Infinity, retry: 1 });
}

/** The portal's card payment, either way (ADR 0027): one Idempotency-Key per intended payment. */
export const portalCharge = {
  withNumber: (body: { portalToken: string; amountCents: number; card: string }, idempotencyKey: string) => call<PortalPayResult>('POST', '/portal/pay', body, idempotencyKey),
  start: (body: { portalToken: string; amountCents: number }, idempotencyKey: string) => call<PortalStartResult>('POST', '/portal/pay/start', body, idempotencyKey),
  finish: (body: { portalToken: string; paymentNumber: string; chargeReference: string }) => call<PortalPayResult>('POST', '/portal/pay/finish', body),
};

/** A payment link's card payment, either way. */
export function linkCharge(token: string) {
  const path = `/pay/${encodeURIComponent(token)}`;
  return {
    withNumber: (card: string, idempotencyKey: string) => call<ChargeOutcome>('POST', path, { card }, idempotencyKey),
    start: (idempotencyKey: string) => call<LinkStartResult>('POST', `${path}/start`, {}, idempotencyKey),
    finish: (chargeReference: string) => call<ChargeOutcome>('POST', `${path}/finish`, { chargeReference }),
  };
}

export function useLookUpAccount() {
  return useMutation({ mutationFn: (body: PortalLookupRequest) => call<PortalLookup>('POST', '/portal/lookup', body) });
}

export function usePaymentLink(token: string) {
  return useQuery({
    queryKey: ['payment-link', token],
    queryFn: () => call<PaymentLinkView>('GET', `/pay/${encodeURIComponent(token)}`),
    retry: false,
    refetchOnWindowFocus: false,
  });
}


export { newIdempotencyKey };
