import type { FastifyInstance, FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { Dialect } from '../../src/db/connect.ts';
import { buildApp } from '../../src/server/app.ts';
import { cliActor, type Actor } from '../../src/services/actor.ts';
import { createApiToken } from '../../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../../src/services/practices/create-practice.ts';
import { SandboxProcessor } from '../../src/services/processors/sandbox-processor.ts';
import type { PaymentProcessor } from '../../src/services/processors/payment-processor.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface Caller {
  token: string;
  actor: Actor;
}

export interface TestApp {
  dialect: Dialect;
  app: FastifyInstance;
  database: TestDatabase;
  config: Config;
  /** The sandbox card processor the app talks to (it counts the refunds it really made). */
  processor: SandboxProcessor;
  /** Practice A: where most tests work. */
  admin: Caller;
  biller: Caller;
  frontDesk: Caller;
  /** An admin of practice B: its records must never show through practice A's callers, and back. */
  otherAdmin: Caller;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options?: { body?: unknown; as?: Caller | null; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** Asserts `ledger verify` finds nothing off. */
  expectLedgerBalances(): Promise<void>;
}

async function caller(database: TestDatabase, practiceId: string, role: 'admin' | 'biller' | 'front_desk'): Promise<Caller> {
  const actor = cliActor(practiceId);
  const { token, id } = await createApiToken(database.handle.db, actor, { role });
  return { token, actor: { practiceId, kind: 'token', id, name: `${role} token`, role } };
}

/**
 * One app per test file and dialect, on a real database of its own; the
 * ledger must balance after every file (and tests call expectLedgerBalances
 * after each money movement they care about).
 */
export function useTestApp(
  dialect: Dialect,
  configOverrides: Partial<Config> = {},
  options: { processor?: PaymentProcessor; logger?: FastifyServerOptions['logger'] } = {},
): TestApp {
  const ctx = { dialect } as TestApp;
  beforeAll(async () => {
    ctx.database = await createTestDatabase(dialect);
    ctx.config = {
      ...loadConfig({ DATA_DIR: ctx.database.dataDir, DEMO_DATA: 'false' }),
      publicUrl: 'http://ledger.test',
      ...configOverrides,
    };
    ctx.processor = new SandboxProcessor({ timeoutMs: 20 });
    ctx.app = await buildApp({ config: ctx.config, database: ctx.database.handle, processor: options.processor ?? ctx.processor, logger: options.logger ?? false });
    const db = ctx.database.handle.db;
    const a = await createPractice(db, { slug: 'alpha', name: 'Alpha Clinic' });
    const b = await createPractice(db, { slug: 'beta', name: 'Beta Clinic' });
    ctx.admin = await caller(ctx.database, a.id, 'admin');
    ctx.biller = await caller(ctx.database, a.id, 'biller');
    ctx.frontDesk = await caller(ctx.database, a.id, 'front_desk');
    ctx.otherAdmin = await caller(ctx.database, b.id, 'admin');
  });
  afterAll(async () => {
    if (!ctx.database) return;
    try {
      await ctx.expectLedgerBalances();
    } finally {
      // The app (and anything it started) first, then the pool, then the database.
      try {
        await ctx.app?.close();
      } finally {
        await ctx.database.drop();
      }
    }
  });
  ctx.request = (method, url, options = {}) => {
    const as = options.as === undefined ? ctx.admin : options.as;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (as) headers.authorization = `Bearer ${as.token}`;
    return ctx.app.inject({
      method,
      url,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
  };
  ctx.expectLedgerBalances = async () => {
    expect(await verifyLedger(ctx.database.handle.db)).toEqual([]);
  };
  return ctx;
}

/** Parses a JSON response and checks its status, showing the body when it differs. */
export function json<T = any>(response: LightMyRequestResponse, status: number): T {
  const body = response.body ? JSON.parse(response.body) : undefined;
  expect({ status: response.statusCode, body }).toMatchObject({ status });
  return body as T;
}
