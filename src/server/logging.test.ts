import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, RequestLog } from './logging.ts';

/** A pino logger built as the server builds it, writing into a list. */
function capturingLogger(level: string) {
  const lines: string[] = [];
  const options = loggerOptions(level, { write: (line: string) => void lines.push(line) }) as pino.LoggerOptions & { stream: pino.DestinationStream };
  const log = pino(options, options.stream);
  return { log, lines };
}

function answered(log: pino.Logger, url: string, statusCode: number) {
  const request = { id: 'req-7f', method: 'POST', url, server: { log } } as unknown as FastifyRequest;
  const reply = { statusCode, elapsedTime: 12.345678 } as unknown as FastifyReply;
  return { request, reply };
}

const withoutTime = (line: string) => line.replace(/"time":\d+/, '"time":0');

describe('the request line (RequestLog)', () => {
  it("is byte for byte the line pino writes through the server's serializers, with the token and query left out", () => {
    const { log, lines } = capturingLogger('info');
    const { request, reply } = answered(log, '/api/v1/pay/tok_secret/start?search=smith', 201);

    new RequestLog().requestCompleted(null, request, reply);
    log.info({ reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');

    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, pid: process.pid, reqId: 'req-7f', req: { method: 'POST', url: '/api/v1/pay/[redacted]/start' }, res: { statusCode: 201 }, responseTime: 12.345678, msg: 'request completed' });
    expect(lines[0]).not.toContain('tok_secret');
    expect(lines[0]).not.toContain('smith');
  });

  it('escapes what a URL may carry so the line stays one JSON object', () => {
    const { log, lines } = capturingLogger('info');
    const { request, reply } = answered(log, '/a"b\\c\u2028d', 404);
    new RequestLog().requestCompleted(null, request, reply);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(lines[0]!.split('\n')).toHaveLength(2);
    expect(JSON.parse(lines[0]!).req.url).toBe('/a"b\\c\u2028d');
  });

  it("follows the logger's level, also when it changes while running", () => {
    const { log, lines } = capturingLogger('warn');
    const requestLog = new RequestLog();
    const { request, reply } = answered(log, '/health', 200);
    requestLog.requestCompleted(null, request, reply);
    expect(lines).toHaveLength(0);
    log.level = 'info';
    requestLog.requestCompleted(null, request, reply);
    expect(lines).toHaveLength(1);
  });

  it('falls back to the logger itself when it is not pino (logging off)', () => {
    const calls: unknown[][] = [];
    const fake = { info: (...args: unknown[]) => void calls.push(args) } as unknown as FastifyBaseLogger;
    const { request, reply } = answered(fake as unknown as pino.Logger, '/health', 200);
    new RequestLog().requestCompleted(null, request, reply);
    expect(calls).toEqual([[{ reqId: 'req-7f', req: request, res: reply, responseTime: 12.345678 }, 'request completed']]);
  });
});
