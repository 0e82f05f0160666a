import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../../src/db/connect.ts';

/**
 * The one way tests run real processes: servers (each its own pool and
 * memory, sharing one database) for races, kills and restarts, and the
 * `ledger` CLI.
 */

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ledgerBin = path.join(root, 'bin', 'ledger.mjs');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: string[];
}

export interface ServerOptions {
  /** Documents (and, without databaseUrl, the SQLite file) live here. */
  dataDir: string;
  /** PostgreSQL; left out, the server uses the SQLite file in dataDir. */
  databaseUrl?: string | undefined;
  port?: number;
  /** Added to (and overriding) the defaults. */
  env?: Record<string, string>;
}

/**
 * A port for a server process, from this vitest worker's own block below Linux's ephemeral range (32768–60999).
 * A port the OS picked (listen(0)) and gave back could be picked again meanwhile by another worker's probe or by
 * an in-process listen(0) of a stand-in; then another file's server answered this test's /health first, and the
 * test talked to the wrong database (401s and 404s in the reliability run of 1 Dec 2026). Blocks apart, a port
 * found free here stays free until this worker's own server takes it. The walk through the block starts at a
 * random place, so two runs at once (two checkouts) rarely try the same port at the same moment.
 */
const portBlockSize = 1000;
let portsHandedOut = Math.floor(Math.random() * portBlockSize);

export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  const blockStart = 20_000 + (worker % 12) * portBlockSize;
  for (let tries = 0; tries < portBlockSize; tries++) {
    const port = blockStart + (portsHandedOut++ % portBlockSize);
    if (await isFree(port)) return port;
  }
  throw new Error(`No free port in ${blockStart}–${blockStart + portBlockSize - 1}.`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The environment of a child process on the given database: the parent's, without a DATABASE_URL it did not ask for. */
function childEnv(databaseUrl: string | undefined, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

/** Spawns `src/server/main.ts`; it is not listening yet (see waitForHealth, or startHealthyServer). */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const env = childEnv(options.databaseUrl, {
    DATA_DIR: options.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    ...options.env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, url: `http://127.0.0.1:${port}`, port, output };
}

/** Waits until /health answers; with a dialect, also that the server runs on that database. */
export async function waitForHealth(server: ServerProcess, options: { dialect?: Dialect; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`The server at ${server.url} exited (${server.child.exitCode ?? server.child.signalCode}) before it was healthy:\n${server.output.join('')}`);
    }
    const health = await fetch(`${server.url}/health`).then(
      async (r) => (r.ok ? ((await r.json()) as { database: string }) : undefined),
      () => undefined,
    );
    if (health) {
      if (options.dialect && health.database !== options.dialect) throw new Error(`expected ${options.dialect}, the server at ${server.url} uses ${health.database}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The server at ${server.url} was not healthy within ${timeoutMs} ms:\n${server.output.join('')}`);
}

export async function startHealthyServer(options: ServerOptions & { dialect?: Dialect; timeoutMs?: number }): Promise<ServerProcess> {
  const server = await startServer(options);
  try {
    await waitForHealth(server, options);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
  return server;
}

/** Stops a server (SIGTERM, SIGKILL after 5 s) and resolves once it has exited. */
export async function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Its output so far, stdout and stderr. */
  output(): string;
  done: Promise<CliResult>;
}

/** Starts `ledger …` as its own process (killed after timeoutMs), without blocking this one. */
export function spawnLedger(args: string[], env: Record<string, string>, timeoutMs = 120_000): CliProcess {
  const child = spawn(process.execPath, [ledgerBin, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliResult>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, output: () => stdout + stderr, done };
}

/** Runs `ledger …` to the end, without blocking this process (so servers it races keep running). */
export function runLedger(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return spawnLedger(args, env, timeoutMs).done;
}

/** A server's answer: its status and its JSON body (undefined when empty). */
export interface Answer {
  status: number;
  body: any;
}

/** Request number i (spread over the processes) with a JSON body or an 835 as text. */
export type Call = (i: number, method: string, url: string, options?: { json?: unknown; era?: string; fileName?: string }) => Promise<Answer>;

/**
 * Requests spread over server processes (request i goes to process i mod n) under a bearer token read when each
 * request is made (`token()`: set once the practice exists), each path after `prefix`.
 */
export function callsTo(servers: readonly ServerProcess[], token: () => string, prefix = ''): Call {
  return async (i, method, url, options = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token()}` };
    let body: string | undefined;
    if (options.era !== undefined) {
      headers['content-type'] = 'text/plain';
      if (options.fileName) headers['x-file-name'] = options.fileName;
      body = options.era;
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${servers[i % servers.length]!.url}${prefix}${url}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}
