import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on a free port that keeps every mail it accepts, parsed. */
export interface MailCatcher {
  url: string;
  received: ParsedMail[];
  /** Refuse the next n mails with 451 (a temporary failure the sender should retry). */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startMailCatcher(options: { refuseFirstPerRecipient?: boolean } = {}): Promise<MailCatcher> {
  const received: ParsedMail[] = [];
  const refused = new Set<string>();
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const recipients = session.envelope.rcptTo.map((r) => r.address).join(',');
        const refuseThisOne = failures > 0 || (options.refuseFirstPerRecipient === true && !refused.has(recipients));
        if (refuseThisOne) {
          if (failures > 0) failures--;
          refused.add(recipients);
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            received.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = (server as unknown as { server: http.Server }).server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    failNext: (n) => {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TwilioRequest {
  accountSid: string;
  authorization: string;
  to: string;
  from: string;
  body: string;
}

/** A local stand-in for Twilio's Messages API: answers with the documented Message resource JSON. */
export interface TwilioStandIn {
  url: string;
  received: TwilioRequest[];
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startTwilioStandIn(): Promise<TwilioStandIn> {
  const received: TwilioRequest[] = [];
  let failures = 0;
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/.exec(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || !match) {
        res.statusCode = 404;
        res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 }));
        return;
      }
      if (failures > 0) {
        failures--;
        res.statusCode = 500;
        res.end(JSON.stringify({ code: 20500, message: 'Internal Server Error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 }));
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const accountSid = match[1]!;
      const request: TwilioRequest = { accountSid, authorization: String(req.headers.authorization ?? ''), to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '' };
      received.push(request);
      const sid = `SM${String(++counter).padStart(32, '0')}`;
      const now = new Date().toUTCString();
      res.statusCode = 201;
      res.end(
        JSON.stringify({
          account_sid: accountSid,
          api_version: '2010-04-01',
          body: request.body,
          date_created: now,
          date_sent: null,
          date_updated: now,
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: request.from,
          messaging_service_sid: null,
          num_media: '0',
          num_segments: '1',
          price: null,
          price_unit: 'USD',
          sid,
          status: 'queued',
          subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
          to: request.to,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext: (n) => {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
