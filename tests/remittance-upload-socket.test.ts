import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../src/services/actor.ts';
import { createApiToken } from '../src/services/auth/create-api-token.ts';
import { verifyLedger } from '../src/services/ledger/verify-ledger.ts';
import { createPractice } from '../src/services/practices/create-practice.ts';
import { generate835Stream } from '../src/x12/generate-835.ts';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * An 835 upload over a real socket is read as it arrives (never buffered
 * whole): a body sent in chunks imports every claim, the server keeps
 * answering other requests meanwhile, and with an Idempotency-Key the file is
 * spooled, fingerprinted and imported once however often it is retried.
 * (An in-process inject cannot show this: the body there is never a socket.)
 */
describe.each(dialects)('835 uploads over a real socket on %s', (dialect) => {
  let database: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  let token = '';
  const claims = 3000;
  const fileText = () => {
    const generated = generate835Stream({ seed: 11, claims, chunkSize: 16_384 });
    return { chunks: [...generated.chunks], totals: generated.totals };
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const practice = await createPractice(database.handle.db, { slug: 'upload', name: 'Upload Clinic' });
    token = (await createApiToken(database.handle.db, cliActor(practice.id), { role: 'biller' })).token;
    server = await startServer({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
    await waitForHealth(server, { dialect });
  }, 150_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    await database?.drop();
  }, 30_000);

  /** POSTs the chunks as a chunked request body, a few milliseconds apart, as a slow client would. */
  async function upload(chunks: string[], headers: Record<string, string> = {}) {
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 2));
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await fetch(`${server!.url}/api/v1/remittances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'x-file-name': 'chunked.835', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('imports a chunked upload claim by claim while the server keeps answering', async () => {
    const { chunks, totals } = fileText();
    const pending = upload(chunks);
    // The event loop is not held by the upload: health answers while it streams.
    const health = await fetch(`${server!.url}/health`);
    expect(health.status).toBe(200);
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ claimCount: claims, duplicate: false, fileName: 'chunked.835' });
    expect(answer.body.postedCount + answer.body.exceptionCount + answer.body.duplicateCount).toBe(claims);
    // Every payment of the file was read, with the generator's own totals.
    expect(answer.body.payments.map((p: { paymentCents: number }) => p.paymentCents)).toEqual(totals.perTransaction.map((x) => x.paymentCents));
    expect(await verifyLedger(database!.handle.db)).toEqual([]);
  }, 120_000);

  it('with an Idempotency-Key: retries replay the first answer and the file posts once', async () => {
    const key = `upload-${dialect}-${Date.now()}`;
    const first = await upload(fileText().chunks.map((c) => c.replaceAll('PL0', 'PK0')), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const again = await upload(fileText().chunks.map((c) => c.replaceAll('PL0', 'PK0')), { 'idempotency-key': key });
    expect(again).toEqual(first);
    // The same key with another file is refused.
    const other = await upload(fileText().chunks.map((c) => c.replaceAll('PL0', 'PJ0')), { 'idempotency-key': key });
    expect(other.status).toBe(409);
    const imports = await database!.handle.db.selectFrom('remittances').select('id').where('id', '=', first.body.id).execute();
    expect(imports).toHaveLength(1);
    expect(await verifyLedger(database!.handle.db)).toEqual([]);
  }, 120_000);
});
