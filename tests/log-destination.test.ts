import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, stopServer, waitForHealth, type ServerProcess } from './helpers/server-processes.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/test-database.ts';

/**
 * The server's own stdout (logging.ts, logDestination): request lines are
 * written in blocks (ADR 0044), yet a quiet server's line still reaches stdout
 * while the server runs, and lines not yet written when it stops are written
 * on the way out.
 */
describe.each(dialects)("the server's request lines on stdout on %s", (dialect) => {
  let database: TestDatabase | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    server = await startServer({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, env: { LOG_LEVEL: 'info' } });
    await waitForHealth(server, { dialect });
  }, 150_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    await database?.drop();
  }, 30_000);

  const requestLines = (path: string) =>
    server!.output
      .join('')
      .split('\n')
      .filter((line) => line.includes('"msg":"request completed"') && line.includes(`"url":"${path}"`));

  it('shows a lone request without waiting for more lines, and writes the last ones when the server stops', async () => {
    expect((await fetch(`${server!.url}/api/v1/nowhere-quiet`)).status).toBe(401);
    // Far less than 4 KB of lines: only the periodic flush writes it.
    for (let waited = 0; requestLines('/api/v1/nowhere-quiet').length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requestLines('/api/v1/nowhere-quiet')).toHaveLength(1);

    expect((await fetch(`${server!.url}/api/v1/nowhere-last`)).status).toBe(401);
    await stopServer(server!);
    expect(requestLines('/api/v1/nowhere-last').map((line) => (JSON.parse(line) as { res: { statusCode: number } }).res.statusCode)).toEqual([401]);
  }, 30_000);
});
