import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import type { Config } from '../src/config/config.ts';
import { createMessageChannels } from '../src/services/messages/channels.ts';
import { deliverMessages, MAX_MESSAGE_ATTEMPTS, type MessageDeliveryOptions } from '../src/services/messages/deliver-messages.ts';
import { makePatient, makePayment } from './helpers/factories.ts';
import { startMailCatcher, startTwilioStandIn, type MailCatcher, type TwilioStandIn } from './helpers/message-stand-ins.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { json, useTestApp, type TestApp } from './helpers/test-app.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dialect } from '../src/db/connect.ts';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { createPatient } from '../src/services/patients/patients.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { runLedger, startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';

/** An Etc/GMT zone where the wall clock now reads `hour` (Etc/GMT-5 is UTC+5). */
function zoneAtLocalHour(hour: number): { zone: string; offsetHours: number } {
  let offset = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return { zone: offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`, offsetHours: offset };
}

const twilioSettings = { accountSid: 'AC00000000000000000000000000000001', authToken: 'twilio-test-auth-token', from: '+15550001111' };

async function setTimeZone(t: TestApp, timeZone: string) {
  json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone } }), 200);
}

async function messageRow(t: TestApp, id: string) {
  return t.database.handle.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe.each(dialects)('email and SMS to patients on %s', (dialect) => {
  let mail: MailCatcher;
  let sms: TwilioStandIn;
  const overrides: Partial<Config> = {};
  beforeAll(async () => {
    mail = await startMailCatcher();
    sms = await startTwilioStandIn();
    Object.assign(overrides, { smtpUrl: mail.url, mailFrom: 'Alpha Clinic <billing@alpha.test>', twilio: { ...twilioSettings, apiBase: sms.url }, messageRetryBaseMs: 60_000 });
  });
  afterAll(async () => {
    await mail?.close();
    await sms?.close();
  });
  const t = useTestApp(dialect, overrides);
  let options: MessageDeliveryOptions;
  beforeAll(async () => {
    options = { dialect, channels: createMessageChannels(t.config), retryBaseMs: t.config.messageRetryBaseMs, publicUrl: t.config.publicUrl };
    await setTimeZone(t, zoneAtLocalHour(12).zone);
  });
  afterAll(() => options?.channels.email.close?.());
  const deliver = (now?: Date) => deliverMessages(t.database.handle.db, { ...options, ...(now ? { now: () => now } : {}) });

  async function paidPayment(amountCents = 12345) {
    const patient = await makePatient(t, undefined, { firstName: 'Nora', email: 'nora@example.test', phone: '(555) 010-2000' });
    const payment = await makePayment(t, patient.id, { amountCents, method: 'cash', status: 'paid', paidDate: '2026-03-02' });
    return { patient, payment };
  }

  it('emails a receipt through SMTP after commit: 202 queued, then the mail with the PDF holding the amount, logged as sent', async () => {
    const { patient, payment } = await paidPayment(12345);
    const queued = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'email' }, as: t.frontDesk }), 202);
    expect(queued).toMatchObject({ id: expect.any(String), status: 'queued' });
    // Nothing leaves in the request: the worker sends it.
    expect(mail.received).toHaveLength(0);
    expect(await deliver()).toEqual({ attempted: 1, sent: 1 });
    expect(mail.received).toHaveLength(1);
    const received = mail.received[0]!;
    expect(received.to).toMatchObject({ text: 'nora@example.test' });
    expect(received.from).toMatchObject({ text: '"Alpha Clinic" <billing@alpha.test>' });
    expect(received.subject).toBe(`Your receipt from Alpha Clinic: ${payment.number}`);
    expect(received.text).toContain('Hi Nora');
    expect(received.attachments).toHaveLength(1);
    const pdf = received.attachments[0]!;
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfText(pdf.content)).toContain('$123.45');

    const log = json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`, { as: t.biller }), 200);
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ id: queued.id, channel: 'email', to: 'nora@example.test', template: 'receipt', paymentId: payment.id, status: 'sent', provider: 'smtp', attemptCount: 1, sentAt: expect.any(String) });
    expect(log.items[0].providerId).toBe(received.messageId);
    // A second pass finds nothing: sent once.
    expect(await deliver()).toEqual({ attempted: 0, sent: 0 });
  });

  it('emails the statement with its PDF and the balance due', async () => {
    const patient = await makePatient(t, undefined, { firstName: 'Stella', email: 'stella@example.test' });
    await makePayment(t, patient.id, { amountCents: 4000, method: 'cash', status: 'paid', paidDate: '2026-03-02' });
    const before = mail.received.length;
    json(await t.request('POST', `/api/v1/patients/${patient.id}/statement/send`, { body: { channel: 'email', to: 'Guardian@Example.test' } }), 202);
    await deliver();
    const received = mail.received[before]!;
    expect(received.to).toMatchObject({ text: 'guardian@example.test' });
    expect(received.subject).toBe('Your statement from Alpha Clinic');
    expect(received.attachments[0]!.filename).toMatch(/^statement-\d{4}-\d{2}-\d{2}\.pdf$/);
    expect(pdfText(received.attachments[0]!.content)).toContain('$40.00');
  });

  it('texts a payment link through Twilio: the link, the amount and the first name, nothing more', async () => {
    const patient = await makePatient(t, undefined, { firstName: 'Sam', lastName: 'Secretname', phone: '555 010 3000' });
    const payment = await makePayment(t, patient.id, { amountCents: 7550 });
    const queued = json(await t.request('POST', `/api/v1/payments/${payment.id}/link/send`, { body: { channel: 'sms' } }), 202);
    expect(await deliver()).toEqual({ attempted: 1, sent: 1 });
    const sent = sms.received.at(-1)!;
    expect(sent).toMatchObject({ accountSid: twilioSettings.accountSid, to: '+15550103000', from: twilioSettings.from });
    expect(sent.authorization).toBe(`Basic ${Buffer.from(`${twilioSettings.accountSid}:${twilioSettings.authToken}`).toString('base64')}`);
    const link = json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).link;
    expect(link.url).toMatch(/^http:\/\/ledger\.test\/pay\//);
    expect(sent.body).toBe(`Hi Sam, Alpha Clinic: pay $75.50 securely at ${link.url} Reply STOP to opt out.`);
    expect(sent.body).not.toContain('Secretname');
    expect(sent.body).not.toContain(payment.number);
    const row = await messageRow(t, queued.id);
    expect(row).toMatchObject({ status: 'sent', provider: 'twilio', providerId: expect.stringMatching(/^SM\d{32}$/) });
    // The link already live is sent again, not replaced.
    json(await t.request('POST', `/api/v1/payments/${payment.id}/link/send`, { body: { channel: 'email', to: 'sam@example.test' } }), 202);
    expect(json(await t.request('GET', `/api/v1/payments/${payment.id}`), 200).link.url).toBe(link.url);
  });

  it('a receipt by SMS is a one-line notice: first name, amount, practice; no link, no document', async () => {
    const { payment } = await paidPayment(2000);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms', to: '+15550104000' } }), 202);
    await deliver();
    expect(sms.received.at(-1)).toMatchObject({ to: '+15550104000', body: 'Hi Nora, Alpha Clinic received your payment of $20.00. Thank you! Reply STOP to opt out.' });
  });

  it('holds an SMS queued at night in the practice time zone until 8 am there; email goes at once', async () => {
    const { zone, offsetHours } = zoneAtLocalHour(3);
    await setTimeZone(t, zone);
    try {
      const { payment } = await paidPayment(900);
      const requestedAt = Date.now();
      const held = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 202);
      expect(held.status).toBe('queued');
      const notBefore = new Date(held.notBefore);
      // 8 am local = 08:00 - offset in UTC, between 4 and 6 hours ahead (it is 3:xx am there).
      expect(notBefore.getUTCMinutes()).toBe(0);
      expect(notBefore.getUTCHours()).toBe((((8 - offsetHours) % 24) + 24) % 24);
      expect(notBefore.getTime() - requestedAt).toBeGreaterThan(4 * 3600_000);
      expect(notBefore.getTime() - requestedAt).toBeLessThanOrEqual(5 * 3600_000);
      const email = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'email' } }), 202);
      const textsBefore = sms.received.length;
      expect(await deliver()).toEqual({ attempted: 1, sent: 1 });
      expect((await messageRow(t, email.id)).status).toBe('sent');
      expect(sms.received).toHaveLength(textsBefore);
      expect((await messageRow(t, held.id)).status).toBe('queued');
      // A minute before 8 am: still held. At 8 am: sent.
      expect(await deliver(new Date(notBefore.getTime() - 60_000))).toEqual({ attempted: 0, sent: 0 });
      expect(await deliver(notBefore)).toEqual({ attempted: 1, sent: 1 });
      expect(sms.received).toHaveLength(textsBefore + 1);
      expect((await messageRow(t, held.id)).status).toBe('sent');
    } finally {
      await setTimeZone(t, zoneAtLocalHour(12).zone);
    }
  });

  it('a text due in the evening that a worker only reaches after 9 pm waits for 8 am instead of going out', async () => {
    const { offsetHours } = zoneAtLocalHour(12);
    const { payment } = await paidPayment(700);
    const queued = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 202);
    const textsBefore = sms.received.length;
    // Ten hours later it is 10 pm at the practice.
    const late = new Date(Date.now() + 10 * 3600_000);
    await deliver(late);
    expect(sms.received).toHaveLength(textsBefore);
    const row = await messageRow(t, queued.id);
    expect(row).toMatchObject({ status: 'queued', attemptCount: 0, lockedUntil: null });
    const eight = new Date(row.nextAttemptAt);
    expect([eight.getUTCHours(), eight.getUTCMinutes()]).toEqual([(((8 - offsetHours) % 24) + 24) % 24, 0]);
    expect(eight.getTime() - late.getTime()).toBeGreaterThan(9 * 3600_000);
    expect(await deliver(eight)).toEqual({ attempted: 1, sent: 1 });
    expect(sms.received).toHaveLength(textsBefore + 1);
  });

  it('retries after the SMTP server refuses and after Twilio answers 500, then sends once; gives up after 5 attempts', async () => {
    const { payment } = await paidPayment(3300);
    const mailBefore = mail.received.length;
    mail.failNext(1);
    const email = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'email' } }), 202);
    expect(await deliver()).toEqual({ attempted: 1, sent: 0 });
    let row = await messageRow(t, email.id);
    expect(row).toMatchObject({ status: 'queued', attemptCount: 1, error: expect.stringMatching(/^451/) });
    // Not before its retry time (60 s base), then sent.
    expect(await deliver()).toEqual({ attempted: 0, sent: 0 });
    expect(await deliver(new Date(Date.parse(row.nextAttemptAt) + 1))).toEqual({ attempted: 1, sent: 1 });
    row = await messageRow(t, email.id);
    expect(row).toMatchObject({ status: 'sent', attemptCount: 2, error: null });
    expect(mail.received.length).toBe(mailBefore + 1);

    sms.failNext(1);
    const text = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 202);
    const textsBefore = sms.received.length;
    await deliver();
    expect(await messageRow(t, text.id)).toMatchObject({ status: 'queued', attemptCount: 1, error: expect.stringMatching(/^500/) });
    await deliver(new Date(Date.now() + 61_000));
    expect(await messageRow(t, text.id)).toMatchObject({ status: 'sent', attemptCount: 2 });
    expect(sms.received.length).toBe(textsBefore + 1);

    mail.failNext(MAX_MESSAGE_ATTEMPTS);
    const doomed = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'email' } }), 202);
    let at = Date.now();
    for (let i = 0; i < MAX_MESSAGE_ATTEMPTS; i++) {
      await deliver(new Date(at));
      at += 60_000 * 2 ** i + 1;
    }
    expect(await messageRow(t, doomed.id)).toMatchObject({ status: 'failed', attemptCount: MAX_MESSAGE_ATTEMPTS });
    expect(await deliver(new Date(at + 86_400_000))).toEqual({ attempted: 0, sent: 0 });
  });

  it('three delivery passes at once send each message once (the lease; SKIP LOCKED on PostgreSQL)', async () => {
    const patient = await makePatient(t, undefined, { firstName: 'Rae', email: 'rae@example.test' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(json(await t.request('POST', `/api/v1/patients/${patient.id}/statement/send`, { body: { channel: 'email', to: `rae${i}@example.test` } }), 202).id);
    const before = mail.received.length;
    const passes = await Promise.all([deliver(), deliver(), deliver()]);
    expect(passes.reduce((n, p) => n + p.sent, 0)).toBe(12);
    const recipients = mail.received.slice(before).map((m) => (m.to && !Array.isArray(m.to) ? m.to.text : ''));
    expect(recipients.sort()).toEqual(ids.map((_, i) => `rae${i}@example.test`).sort());
  });

  it('opt-out by staff: sends are suppressed (422 recipient_opted_out, logged), the other channel still works, and turning it back on sends again', async () => {
    const { patient, payment } = await paidPayment(1500);
    const patched = json(await t.request('PATCH', `/api/v1/patients/${patient.id}`, { body: { smsOptOut: true }, as: t.frontDesk }), 200);
    expect(patched).toMatchObject({ smsOptOut: true, emailOptOut: false, phone: '(555) 010-2000' });
    const refused = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 422);
    expect(refused.code).toBe('recipient_opted_out');
    json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'email' } }), 202);
    const log = json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`), 200);
    expect(log.items.map((m: any) => [m.channel, m.status])).toEqual([
      ['email', 'queued'],
      ['sms', 'suppressed'],
    ]);
    expect(refused.details).toEqual({ messageId: log.items[1].id });
    const textsBefore = sms.received.length;
    await deliver();
    expect(sms.received.length).toBe(textsBefore);
    json(await t.request('PATCH', `/api/v1/patients/${patient.id}`, { body: { smsOptOut: false } }), 200);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 202);
    await deliver();
    expect(sms.received.length).toBe(textsBefore + 1);
    const audit = await t.database.handle.db.selectFrom('auditEvents').select('after').where('entityId', '=', patient.id).where('action', '=', 'patient.updated').execute();
    expect(audit.map((a) => JSON.parse(a.after!).smsOptOut)).toEqual([true, false]);
  });

  it('an inbound STOP (signed by Twilio) opts the patient out, and a text already queued is suppressed instead of sent; a bad signature changes nothing', async () => {
    const { patient, payment } = await paidPayment(1000);
    const { zone } = zoneAtLocalHour(2);
    await setTimeZone(t, zone);
    let held;
    try {
      held = json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 202);
    } finally {
      await setTimeZone(t, zoneAtLocalHour(12).zone);
    }
    const url = '/api/v1/webhooks/twilio/sms';
    const form = { From: '+15550102000', To: twilioSettings.from, Body: 'stop ', MessageSid: 'SM1', AccountSid: twilioSettings.accountSid };
    const payload = new URLSearchParams(form).toString();
    const forged = await t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' } });
    expect(forged.statusCode).toBe(403);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).smsOptOut).toBe(false);

    const signature = twilio.getExpectedTwilioSignature(twilioSettings.authToken, `http://ledger.test${url}`, form);
    const signed = await t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature } });
    expect(signed.statusCode).toBe(200);
    expect(signed.headers['content-type']).toMatch(/xml/);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).smsOptOut).toBe(true);
    // The held text's 8 am comes: the opt-out wins.
    await deliver(new Date(held.notBefore));
    expect(await messageRow(t, held.id)).toMatchObject({ status: 'suppressed' });
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body: { channel: 'sms' } }), 422).code).toBe('recipient_opted_out');
  });

  it('a bad address or phone answers 400 and writes nothing; no address on file is 400 too', async () => {
    const { patient, payment } = await paidPayment(1000);
    const count = async () => Number((await t.database.handle.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    for (const body of [
      { channel: 'email', to: 'not-an-address' },
      { channel: 'sms', to: '555-0100' },
      { channel: 'sms', to: '15550102000' },
      { channel: 'fax', to: '+15550102000' },
      { channel: 'email', to: 'a@b.test', extra: 1 },
    ]) {
      const refused = await t.request('POST', `/api/v1/payments/${payment.id}/receipt/send`, { body });
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.parse(refused.body).code).toBe('validation_failed');
    }
    const bare = await makePatient(t);
    const noEmail = json(await t.request('POST', `/api/v1/patients/${bare.id}/statement/send`, { body: { channel: 'email' } }), 400);
    expect(noEmail.detail ?? noEmail.title).toMatch(/no email address on file/);
    // A link send with a bad address makes no link either.
    const unpaid = await makePayment(t, patient.id, { amountCents: 500 });
    json(await t.request('POST', `/api/v1/payments/${unpaid.id}/link/send`, { body: { channel: 'sms', to: 'nope' } }), 400);
    expect(json(await t.request('GET', `/api/v1/payments/${unpaid.id}`), 200).link).toBeNull();
    expect(await count()).toBe(before);
  });

  it("a refund's receipt by email carries the refund's PDF with its figures, by SMS a one-line notice; another practice's refund is 404 and writes nothing", async () => {
    const { patient, payment } = await paidPayment(9000);
    const refund = json(await t.request('POST', `/api/v1/payments/${payment.id}/refunds`, { as: t.biller, body: { amountCents: 2575, reason: 'billing_error', notes: 'double entry' } }), 201);
    const before = mail.received.length;
    const queued = json(await t.request('POST', `/api/v1/refunds/${refund.id}/receipt/send`, { body: { channel: 'email' }, as: t.frontDesk }), 202);
    expect(mail.received).toHaveLength(before);
    expect(await deliver()).toEqual({ attempted: 1, sent: 1 });
    const received = mail.received[before]!;
    expect(received.to).toMatchObject({ text: 'nora@example.test' });
    expect(received.subject).toBe(`Your refund receipt from Alpha Clinic: ${payment.number}`);
    expect(received.text).toContain('Alpha Clinic refunded $25.75 to you');
    expect(received.attachments.map((a) => a.filename)).toEqual([`refund-receipt-${payment.number}.pdf`]);
    const text = pdfText(received.attachments[0]!.content);
    expect(text).toContain('Amount refunded\n$25.75');
    expect(text).toContain(`Original payment ${payment.number} of 2026-03-02 (Cash)\n$90.00`);
    expect(text).toContain('Refunded, reason: billing error (double entry)\n$25.75');
    const log = json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`), 200);
    expect(log.items[0]).toMatchObject({ id: queued.id, template: 'receipt', paymentId: payment.id, refundId: refund.id, status: 'sent' });

    json(await t.request('POST', `/api/v1/refunds/${refund.id}/receipt/send`, { body: { channel: 'sms', to: '+15550104001' } }), 202);
    await deliver();
    expect(sms.received.at(-1)).toMatchObject({ to: '+15550104001', body: 'Hi Nora, Alpha Clinic refunded $25.75 to you. Reply STOP to opt out.' });

    const count = (await t.database.handle.db.selectFrom('messages').select('id').execute()).length;
    expect(json(await t.request('POST', `/api/v1/refunds/${refund.id}/receipt/send`, { body: { channel: 'email' }, as: t.otherAdmin }), 404).code).toBe('not_found');
    expect(json(await t.request('POST', `/api/v1/refunds/${refund.id}/receipt/send`, { body: { channel: 'fax' } }), 400).code).toBe('validation_failed');
    expect((await t.database.handle.db.selectFrom('messages').select('id').execute()).length).toBe(count);
  });

  it("another practice's payment or patient is 404 and writes nothing; an unpaid payment has no receipt to send (422)", async () => {
    const { patient, payment } = await paidPayment(1000);
    for (const url of [`/api/v1/payments/${payment.id}/receipt/send`, `/api/v1/payments/${payment.id}/link/send`, `/api/v1/patients/${patient.id}/statement/send`]) {
      expect(json(await t.request('POST', url, { body: { channel: 'email' }, as: t.otherAdmin }), 404).code).toBe('not_found');
    }
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`, { as: t.otherAdmin }), 404).code).toBe('not_found');
    const unpaid = await makePayment(t, patient.id, { amountCents: 500 });
    json(await t.request('POST', `/api/v1/payments/${unpaid.id}/receipt/send`, { body: { channel: 'email' } }), 422);
    // A paid payment takes no link.
    expect(json(await t.request('POST', `/api/v1/payments/${payment.id}/link/send`, { body: { channel: 'email' } }), 422).code).toBe('link_not_allowed');
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`), 200).items).toEqual([]);
  });
});

describe.each(dialects)('the built-in sandbox on %s (no SMTP_URL, no Twilio)', (dialect) => {
  const t = useTestApp(dialect);

  it('records mail and SMS as sent by "sandbox", and takes an unsigned test STOP', async () => {
    json(await t.request('PATCH', '/api/v1/practice', { body: { timeZone: zoneAtLocalHour(12).zone } }), 200);
    const patient = await makePatient(t, undefined, { firstName: 'Sandy', email: 'sandy@example.test', phone: '+15550105000' });
    const payment = await makePayment(t, patient.id, { amountCents: 2500 });
    json(await t.request('POST', `/api/v1/payments/${payment.id}/link/send`, { body: { channel: 'email' } }), 202);
    json(await t.request('POST', `/api/v1/payments/${payment.id}/link/send`, { body: { channel: 'sms' } }), 202);
    const options = { dialect, channels: createMessageChannels(t.config), retryBaseMs: 1000, publicUrl: t.config.publicUrl };
    expect(await deliverMessages(t.database.handle.db, options)).toEqual({ attempted: 2, sent: 2 });
    const log = json(await t.request('GET', `/api/v1/patients/${patient.id}/messages`), 200);
    expect(log.items.map((m: any) => [m.channel, m.status, m.provider])).toEqual([
      ['sms', 'sent', 'sandbox'],
      ['email', 'sent', 'sandbox'],
    ]);
    expect(log.items[1]).toMatchObject({ subject: 'Pay $25.00 to Alpha Clinic', body: expect.stringContaining('http://ledger.test/pay/') });
    const stop = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks/twilio/sms', payload: 'From=%2B15550105000&Body=STOP', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(stop.statusCode).toBe(200);
    expect(json(await t.request('GET', `/api/v1/patients/${patient.id}`), 200).smsOptOut).toBe(true);
  });
});

const raceCases: Array<{ dialect: Dialect; servers: number }> = [
  { dialect: 'postgres', servers: 2 },
  { dialect: 'sqlite', servers: 1 },
];

describe.each(raceCases)('message delivery from $servers server process(es) and the CLI on $dialect', ({ dialect, servers: serverCount }) => {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let catcher: MailCatcher | undefined;
  const servers: ServerProcess[] = [];
  let env: Record<string, string>;
  let token = '';
  const patientIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const db = database.handle.db;
    const practice = await createPractice(db, { slug: 'mail', name: 'Mail Clinic' });
    const actor = cliActor(practice.id);
    for (let i = 0; i < 20; i++) {
      patientIds.push((await createPatient(db, actor, { firstName: `P${i}`, lastName: 'Race', dateOfBirth: '1970-01-01', email: `p${i}@example.test` })).id);
    }
    token = (await createApiToken(db, actor, { role: 'admin' })).token;
    // Every recipient's first mail is refused, so each is tried twice: a retry taken by two processes would arrive twice.
    catcher = await startMailCatcher({ refuseFirstPerRecipient: true });
    dataDir = dialect === 'sqlite' ? database.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-mail-'));
    env = { DATA_DIR: dataDir, SMTP_URL: catcher.url, MAIL_FROM: 'billing@mail.test', WEBHOOK_POLL_MS: '20', MESSAGE_RETRY_BASE_MS: '50', DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
    if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
    for (let i = 0; i < serverCount; i++) servers.push(await startServer({ databaseUrl: database.databaseUrl, dataDir, env }));
    await Promise.all(servers.map((s) => waitForHealth(s, { dialect })));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map(stopServer));
    await catcher?.close();
    if (dataDir && dialect === 'postgres') fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }, 30_000);

  it('sends every message exactly once after one refusal each, with cron racing the servers', async () => {
    const sends = await Promise.all(
      patientIds.map((id, i) =>
        fetch(`${servers[i % servers.length]!.url}/api/v1/patients/${id}/statement/send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'email' }),
        }),
      ),
    );
    expect(sends.map((r) => r.status)).toEqual(patientIds.map(() => 202));
    const cron = await Promise.all([runLedger(['deliver-messages'], env), runLedger(['deliver-messages'], env)]);
    for (const run of cron) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Messages: \d+ attempt\(s\), \d+ sent\./);
    }
    const deadline = Date.now() + 20_000;
    const db = database!.handle.db;
    const sentCount = async () => Number((await db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow()).n);
    while ((await sentCount()) < patientIds.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const perRecipient = new Map<string, number>();
    for (const m of catcher!.received) {
      const to = m.to && !Array.isArray(m.to) ? m.to.text : '';
      perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    }
    expect([...perRecipient.values()]).toEqual(patientIds.map(() => 1));
    expect(perRecipient.size).toBe(patientIds.length);
    const rows = await db.selectFrom('messages').select(['status', 'attemptCount', 'lockedUntil']).execute();
    expect(rows.map((r) => [r.status, Number(r.attemptCount), r.lockedUntil])).toEqual(patientIds.map(() => ['sent', 2, null]));
  }, 120_000);
});
