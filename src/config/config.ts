import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads process.env. Everything else receives a typed
 * Config, so tests build their own without touching the environment.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DEMO_DATA: booleanFromEnv.default(true),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_DAYS: z.coerce.number().int().positive().default(7),
  MAX_DOCUMENT_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  REFUND_REVIEW_DAYS: z.coerce.number().int().positive().default(45),
  LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().positive().default(20),
  NODE_ENV: z.string().default('development'),
  PAYMENT_PROCESSOR: z.enum(['sandbox', 'stripe']).default('sandbox'),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  STRIPE_API_BASE: z.string().url().optional(),
  /** `pk_…`: loads Stripe's Payment Element in the browser (the portal, links and the staff charge page). */
  STRIPE_PUBLISHABLE_KEY: z.string().optional(),
  /**
   * Behind a reverse proxy: which X-Forwarded-For hops to believe, so the
   * client address (portal and login rate limits) is the patient's, not the
   * proxy's. "false" (default, direct connections), "true" (trust every hop:
   * only when the proxy is the only way in), a hop count ("1"), or a
   * comma-separated list of proxy addresses/CIDRs ("10.0.0.0/8,127.0.0.1").
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      if (/^(true|yes)$/i.test(v)) return true;
      if (/^(false|no|0|)$/i.test(v)) return false;
      // A number is a hop count (1 = one proxy in front), not a boolean.
      if (/^\d+$/.test(v)) return Number(v);
      const list = v.split(',').map((a) => a.trim()).filter(Boolean);
      if (list.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
        ctx.addIssue({ code: 'custom', message: 'TRUST_PROXY must be true, false, a hop count, or proxy addresses/CIDRs separated by commas' });
        return z.NEVER;
      }
      return list;
    }),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().positive().default(5000),
  WEBHOOK_POLL_MS: z.coerce.number().int().positive().default(250),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  WEBHOOK_WORKER: booleanFromEnv.default(true),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must be an smtp:// or smtps:// URL').optional().or(z.literal('').transform(() => undefined)),
  MAIL_FROM: z.string().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional().or(z.literal('').transform(() => undefined)),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_API_BASE: z.string().url().optional(),
  MESSAGE_RETRY_BASE_MS: z.coerce.number().int().positive().default(60_000),
  MESSAGE_WORKER: booleanFromEnv.default(true),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  demoData: boolean;
  /** Base of links we hand out (payment links); defaults to the listen address. */
  publicUrl: string;
  logLevel: string;
  sessionDays: number;
  maxDocumentBytes: number;
  refundReviewDays: number;
  /** Sign-in attempts one address may make per minute (LOGIN_ATTEMPTS_PER_MINUTE). */
  loginAttemptsPerMinute: number;
  /** Secure cookies only when served over https. */
  secureCookies: boolean;
  /** The card processor: the built-in sandbox unless Stripe is configured. */
  processor: 'sandbox' | 'stripe';
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  stripeApiBase: string | undefined;
  stripePublishableKey: string | undefined;
  /** Fastify's trustProxy: false, true, a hop count, or the proxies' addresses (TRUST_PROXY). */
  trustProxy: boolean | number | string[];
  /** Outgoing webhooks: first retry after this, doubling each time, for 3 days. */
  webhookRetryBaseMs: number;
  /** How often the in-server worker looks for due deliveries. */
  webhookPollMs: number;
  /** How long one delivery attempt may take before it counts as failed. */
  webhookTimeoutMs: number;
  /** false: this process sends no webhooks (cron runs `ledger deliver-webhooks` instead). */
  webhookWorker: boolean;
  /** Outgoing email: SMTP through nodemailer; unset, the built-in sandbox records the mail instead. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Outgoing SMS through Twilio when all three are set; otherwise the built-in sandbox records them. */
  twilio: { accountSid: string; authToken: string; from: string; apiBase: string | undefined } | undefined;
  /** A failed email or SMS is tried again after this, doubling each time, 5 attempts in all. */
  messageRetryBaseMs: number;
  /** false: this process sends no email/SMS (cron runs `ledger deliver-messages` instead). */
  messageWorker: boolean;
  /** NODE_ENV: "production" turns off test-only doors (the sandbox's unsigned inbound SMS). */
  nodeEnv: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    demoData: e.DEMO_DATA,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    sessionDays: e.SESSION_DAYS,
    maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
    refundReviewDays: e.REFUND_REVIEW_DAYS,
    loginAttemptsPerMinute: e.LOGIN_ATTEMPTS_PER_MINUTE,
    secureCookies: publicUrl.startsWith('https://'),
    processor: e.PAYMENT_PROCESSOR,
    stripeSecretKey: e.STRIPE_SECRET_KEY,
    stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET,
    stripeApiBase: e.STRIPE_API_BASE,
    stripePublishableKey: e.STRIPE_PUBLISHABLE_KEY,
    trustProxy: e.TRUST_PROXY,
    webhookRetryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    webhookPollMs: e.WEBHOOK_POLL_MS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    webhookWorker: e.WEBHOOK_WORKER,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? 'Patient Ledger <no-reply@localhost>',
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_FROM
        ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, apiBase: e.TWILIO_API_BASE }
        : undefined,
    messageRetryBaseMs: e.MESSAGE_RETRY_BASE_MS,
    messageWorker: e.MESSAGE_WORKER,
    nodeEnv: e.NODE_ENV,
  };
}
