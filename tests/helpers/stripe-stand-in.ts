import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for api.stripe.com on 127.0.0.1 that keeps PaymentIntents the
 * way Stripe documents them (create, retrieve, search, cancel, confirm), for
 * the card-entry flow: our server creates an intent, the browser (or a test
 * acting as it) confirms it with a card at "Stripe", our server reads it back.
 * The real `stripe` client talks to it unmodified. It records every card
 * number it is sent, so a test can show where card numbers went.
 */
export interface StripeStandIn {
  apiBase: string;
  /** What the browser's Stripe.js would do: confirm with a card (test numbers: 4242… succeeds, 4000…0002 is declined). */
  confirm(intentId: string, cardNumber: string): { status: number; body: unknown };
  intent(id: string): StandInIntent | undefined;
  intents(): StandInIntent[];
  /** Card numbers "Stripe" received, in order. */
  cardNumbers: string[];
  /** Every request our server (or the browser) made, as `METHOD path`. */
  calls: string[];
  close(): Promise<void>;
}

export interface StandInIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  latest_charge: Record<string, unknown> | null;
  last_payment_error: { type: string; code: string; message: string } | null;
  created: number;
  livemode: false;
}

const DECLINED = '4000000000000002';

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const intents = new Map<string, StandInIntent>();
  const byKey = new Map<string, string>();
  const cardNumbers: string[] = [];
  const calls: string[] = [];
  let next = 0;

  const error = (status: number, type: string, message: string, extra: Record<string, unknown> = {}) => ({ status, body: { error: { type, message, ...extra } } });

  function confirm(id: string, cardNumber: string, clientSecret?: string): { status: number; body: unknown } {
    const intent = intents.get(id);
    if (!intent || (clientSecret !== undefined && clientSecret !== intent.client_secret)) return error(404, 'invalid_request_error', `No such payment_intent: '${id}'`);
    if (intent.status !== 'requires_payment_method' && intent.status !== 'requires_confirmation') {
      return error(400, 'invalid_request_error', `This PaymentIntent's status is ${intent.status}; it cannot be confirmed.`);
    }
    const digits = cardNumber.replace(/\D/g, '');
    cardNumbers.push(digits);
    if (digits === DECLINED) {
      intent.status = 'requires_payment_method';
      intent.last_payment_error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' };
      return error(402, 'card_error', 'Your card was declined.', { code: 'card_declined', payment_intent: intent });
    }
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.last_payment_error = null;
    intent.latest_charge = { id: `ch_${id.slice(3)}`, object: 'charge', amount: intent.amount, payment_intent: id, payment_method_details: { type: 'card', card: { brand: 'visa', last4: digits.slice(-4) } } };
    return { status: 200, body: intent };
  }

  function handle(method: string, path: string, form: URLSearchParams, idempotencyKey: string | undefined): { status: number; body: unknown } {
    const url = new URL(path, 'http://stand-in');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v1' || parts[1] !== 'payment_intents') return error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url.pathname}).`);
    if (method === 'POST' && parts.length === 2) {
      if (idempotencyKey && byKey.has(idempotencyKey)) return { status: 200, body: intents.get(byKey.get(idempotencyKey)!) };
      const id = `pi_standin${++next}${randomBytes(4).toString('hex')}`;
      const metadata: Record<string, string> = {};
      for (const [k, v] of form) {
        const m = /^metadata\[(.+)\]$/.exec(k);
        if (m) metadata[m[1]!] = v;
      }
      const intent: StandInIntent = {
        id,
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        amount_received: 0,
        currency: form.get('currency') ?? 'usd',
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
        description: form.get('description'),
        metadata,
        latest_charge: null,
        last_payment_error: null,
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      };
      intents.set(id, intent);
      if (idempotencyKey) byKey.set(idempotencyKey, id);
      return { status: 200, body: intent };
    }
    if (method === 'GET' && parts[2] === 'search') {
      const wanted = /metadata\['chargeAttempt'\]:'(.*)'$/.exec(url.searchParams.get('query') ?? '')?.[1]?.replace(/\\'/g, "'");
      const data = [...intents.values()].filter((i) => i.metadata.chargeAttempt === wanted);
      return { status: 200, body: { object: 'search_result', url: '/v1/payment_intents/search', has_more: false, next_page: null, data } };
    }
    const intent = parts[2] ? intents.get(parts[2]) : undefined;
    if (!intent) return error(404, 'invalid_request_error', `No such payment_intent: '${parts[2] ?? ''}'`);
    if (method === 'GET' && parts.length === 3) return { status: 200, body: intent };
    if (method === 'POST' && parts[3] === 'cancel') {
      if (!['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture'].includes(intent.status)) {
        return error(400, 'invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`);
      }
      intent.status = 'canceled';
      return { status: 200, body: intent };
    }
    if (method === 'POST' && parts[3] === 'confirm') {
      return confirm(intent.id, form.get('payment_method_data[card][number]') ?? '', form.get('client_secret') ?? undefined);
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${url.pathname}).`);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      calls.push(`${method} ${(req.url ?? '').split('?')[0]}`);
      const headers = { 'content-type': 'application/json', 'request-id': `req_standin${calls.length}`, 'access-control-allow-origin': '*' };
      if (method === 'OPTIONS') {
        res.writeHead(204, { ...headers, 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST' });
        res.end();
        return;
      }
      const key = req.headers['idempotency-key'];
      const reply = handle(method, req.url ?? '/', new URLSearchParams(Buffer.concat(chunks).toString('utf8')), typeof key === 'string' ? key : undefined);
      res.writeHead(reply.status, headers);
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBase: `http://127.0.0.1:${port}`,
    confirm: (id, card) => confirm(id, card),
    intent: (id) => intents.get(id),
    intents: () => [...intents.values()],
    cardNumbers,
    calls,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
