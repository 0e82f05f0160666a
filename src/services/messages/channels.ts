import nodemailer, { type Transporter } from 'nodemailer';
import type { Twilio } from 'twilio';
import type { Config } from '../../config/config.ts';

/** One outgoing email. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** Where an email goes: SMTP, or the sandbox that only records it. Throws when the provider refuses (the worker retries). */
export interface MailSender {
  readonly provider: string;
  send(mail: Mail): Promise<{ providerId: string }>;
  close?(): void;
}

/** Where an SMS goes: Twilio, or the sandbox. */
export interface SmsSender {
  readonly provider: string;
  send(sms: { to: string; body: string }): Promise<{ providerId: string }>;
}

export interface MessageChannels {
  email: MailSender;
  sms: SmsSender;
}

/**
 * The sandbox: nothing leaves the machine; the message row (to, subject,
 * body) is the record, marked sent with provider "sandbox".
 */
export const sandboxMail: MailSender = { provider: 'sandbox', send: async () => ({ providerId: `sandbox-${Date.now().toString(36)}` }) };
export const sandboxSms: SmsSender = { provider: 'sandbox', send: async () => ({ providerId: `sandbox-${Date.now().toString(36)}` }) };

export class SmtpMailSender implements MailSender {
  readonly provider = 'smtp';
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Short timeouts: a stuck server fails the attempt, and the worker retries later.
    this.transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as never);
  }

  async send(mail: Mail) {
    const info = await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, attachments: mail.attachments });
    return { providerId: String(info.messageId ?? '') };
  }

  close() {
    this.transport.close();
  }
}

export class TwilioSmsSender implements SmsSender {
  readonly provider = 'twilio';
  private client: Promise<Twilio> | undefined;

  constructor(private readonly settings: NonNullable<Config['twilio']>) {}

  /** Loaded on the first text: the package takes a quarter second to import, which every start and CLI run would pay. */
  private connect(): Promise<Twilio> {
    this.client ??= import('twilio').then(({ default: twilio }) => {
      const client = twilio(this.settings.accountSid, this.settings.authToken, { autoRetry: false, timeout: 15_000 });
      // Tests point the Messages API at a local stand-in.
      if (this.settings.apiBase) client.api.baseUrl = this.settings.apiBase;
      return client;
    });
    return this.client;
  }

  async send(sms: { to: string; body: string }) {
    const message = await (await this.connect()).messages.create({ to: sms.to, from: this.settings.from, body: sms.body });
    return { providerId: message.sid };
  }
}

/** SMTP when SMTP_URL is set, Twilio when its three settings are; the sandbox otherwise. */
export function createMessageChannels(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'twilio'>): MessageChannels {
  return {
    email: config.smtpUrl ? new SmtpMailSender(config.smtpUrl, config.mailFrom) : sandboxMail,
    sms: config.twilio ? new TwilioSmsSender(config.twilio) : sandboxSms,
  };
}
