import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type LevelWithSilentOrString } from 'pino';

/**
 * What the server logs, and what it never does: request URLs without query
 * strings (searches carry names) and with payment-link tokens blanked; no
 * headers (cookies, API tokens) and no bodies (passwords, dates of birth,
 * account IDs); database errors without the values PostgreSQL quotes in its
 * messages and details ("Key (account_id)=(A123) already exists").
 */
export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  };
}

/** The path only, with the secret of /pay/<token> (web page and API) replaced. */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/pay\/[^/]+/g, '/pay/[redacted]');
}

interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  statusCode?: number;
  constraint?: string;
  table?: string;
  column?: string;
  routine?: string;
}

/**
 * Errors as logged. A PostgreSQL error (it has a severity and a routine)
 * keeps its code and the names of the constraint, table and column, never
 * its message, detail or where: those quote the offending values.
 */
export function serializeError(error: unknown): LoggedError {
  if (typeof error !== 'object' || error === null) return { type: typeof error, message: '[not an Error]', stack: '' };
  const e = error as Record<string, unknown> & { name?: string; message?: string; stack?: string };
  const type = typeof e.constructor === 'function' && e.constructor.name ? e.constructor.name : String(e.name ?? 'Error');
  const fromPostgres = typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
  const logged: LoggedError = { type, message: '', stack: '' };
  for (const key of ['code', 'constraint', 'table', 'column', 'routine'] as const) {
    if (typeof e[key] === 'string') logged[key] = e[key];
  }
  if (typeof e.statusCode === 'number') logged.statusCode = e.statusCode;
  if (fromPostgres) {
    logged.message = `PostgreSQL error ${String(e.code)}${logged.constraint ? ` on ${logged.constraint}` : ''}`;
    // The stack's first line repeats the message: keep only the frames.
    if (typeof e.stack === 'string') logged.stack = [logged.message, ...e.stack.split('\n').filter((l) => /^\s+at /.test(l))].join('\n');
  } else {
    logged.message = String(e.message ?? '');
    if (typeof e.stack === 'string') logged.stack = e.stack;
  }
  return logged;
}

/**
 * Where the server's log lines go: stdout, written asynchronously and in
 * blocks: lines gather until 4 KB (about 25 request lines) or a quarter of a
 * second has passed, so a busy server makes one write for many lines instead
 * of one a request (a write a line was a fifth of a /health request's CPU:
 * issue 12, ADR 0044), and a quiet one still shows each line within 250 ms.
 * pino flushes what is left when the process exits; a SIGKILL loses at most
 * that last quarter of a second.
 *
 * The block is kept as a list of byte buffers, not one growing string: in
 * its string mode the destination measures the whole pending block's UTF-8
 * length on every line (Buffer.byteLength of a string being appended to), so
 * a line cost more the fuller the block — 3–5 µs a line against ~2 µs for
 * pino building it (ADR 0049).
 */
export function logDestination(): DestinationStream {
  const blocks = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250, contentMode: 'buffer' });
  return { write: (line: string) => blocks.write(Buffer.from(line) as unknown as string) };
}

/**
 * One line per request, when it is answered: method, path (redacted),
 * status and time, with the request's id. Errors are logged in full where
 * they happen (error-handler.ts). Fastify's own request logging (a line on
 * arrival, another on the answer, one per error) stays off; this takes the
 * place of its "request completed" line, which Fastify calls when the answer
 * is sent — no onResponse hook, so a request without one (/health) skips
 * Fastify's hook runner (issue 12, ADR 0049). The line is written through
 * the server's logger with the id as a field — the same line a request's
 * child logger would write — so that a request that logs nothing else never
 * builds a child logger (see lazyChildLogger).
 */
export class RequestLog extends LogController {
  #lines = new WeakMap<FastifyBaseLogger, RequestLineWriter | null>();

  constructor() {
    super({ disableRequestLogging: true });
  }

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const log = request.server.log;
    let write = this.#lines.get(log);
    if (write === undefined) this.#lines.set(log, (write = requestLineWriter(log)));
    if (write) write(request, reply);
    else log.info({ reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

type RequestLineWriter = (request: FastifyRequest, reply: FastifyReply) => void;

/**
 * The request line written straight to the logger's stream, byte for byte the line pino writes for
 * `log.info({ reqId, req, res, responseTime }, 'request completed')` through loggerOptions' serializers:
 * its level, time and bindings (pid, hostname) in pino's order. Pino's general path (its serializers and
 * a JSON writer for any object) cost ~1.8 µs a line against ~0.4 µs built here (issue 12, ADR 0055).
 * Null when the logger is not a pino logger (tests build apps with logging off): then the ordinary
 * call stands.
 */
function requestLineWriter(log: FastifyBaseLogger): RequestLineWriter | null {
  const logger = log as unknown as pino.Logger & Record<symbol, unknown>;
  const stream = logger[pino.symbols.streamSym] as DestinationStream | undefined;
  const bindings = logger[pino.symbols.chindingsSym];
  if (!stream || typeof bindings !== 'string' || typeof logger.isLevelEnabled !== 'function') return null;
  const info = logger.levels.values.info ?? 30;
  return (request, reply) => {
    if (logger.levelVal > info) return; // the level is read each time: it may be changed while running
    stream.write(
      `{"level":${info},"time":${Date.now()}${bindings},"reqId":${JSON.stringify(request.id)},"req":{"method":"${request.method}","url":${JSON.stringify(redactUrl(request.url))}},"res":{"statusCode":${reply.statusCode}},"responseTime":${reply.elapsedTime},"msg":"request completed"}\n`,
    );
  };
}

/**
 * Fastify gives every request a child logger bound to its id; pino builds
 * it eagerly (serialising the bindings) although most requests only write
 * their one line through logRequests. This stands in for the child and
 * builds it on the first use — an error, a warning — so the cost falls on
 * the requests that log (issue 12: /health, ADR 0031).
 */
export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChild(parent, bindings, options) as unknown as FastifyBaseLogger;
}

class LazyChild {
  #logger: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}
  get #child(): FastifyBaseLogger {
    return (this.#logger ??= this.parent.child(this.bindings, this.options));
  }
  get level(): LevelWithSilentOrString {
    return this.#logger?.level ?? this.options.level ?? this.parent.level;
  }
  set level(level: LevelWithSilentOrString) {
    this.#child.level = level;
  }
  fatal(...args: Parameters<FastifyBaseLogger['fatal']>): void {
    this.#child.fatal(...args);
  }
  error(...args: Parameters<FastifyBaseLogger['error']>): void {
    this.#child.error(...args);
  }
  warn(...args: Parameters<FastifyBaseLogger['warn']>): void {
    this.#child.warn(...args);
  }
  info(...args: Parameters<FastifyBaseLogger['info']>): void {
    this.#child.info(...args);
  }
  debug(...args: Parameters<FastifyBaseLogger['debug']>): void {
    this.#child.debug(...args);
  }
  trace(...args: Parameters<FastifyBaseLogger['trace']>): void {
    this.#child.trace(...args);
  }
  silent(...args: Parameters<FastifyBaseLogger['silent']>): void {
    this.#child.silent(...args);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child.child(bindings, options);
  }
}
