import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../../src/db/connect.ts';

/** Real app processes for race tests: each its own connection (pool) and memory, sharing one database. */

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A server on the test's database: PostgreSQL by URL, or the SQLite file in dataDir. */
export async function startServer(database: { databaseUrl: string | undefined; dataDir: string }, extraEnv: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const output: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: database.dataDir, PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'false', LOG_LEVEL: 'warn', NODE_ENV: 'test', ...extraEnv };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, url: `http://127.0.0.1:${port}`, output };
}

export async function waitForHealth(server: ServerProcess, dialect: Dialect, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`The server at ${server.url} exited with ${server.child.exitCode}:\n${server.output.join('')}`);
    try {
      const response = await fetch(`${server.url}/health`);
      if (response.ok) {
        const health = (await response.json()) as { database: string };
        if (health.database !== dialect) throw new Error(`expected ${dialect}, the server uses ${health.database}`);
        return;
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('expected')) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The server at ${server.url} was not healthy within ${timeoutMs} ms:\n${server.output.join('')}`);
}

export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
