import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { AppError } from '../../domain/errors.ts';

const titles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in',
  402: 'Payment declined',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Not allowed by the rules',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Array<{ path: string; message: string }>;
  [extra: string]: unknown;
}

export function problemOf(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: `https://patient-ledger.dev/problems/${code}`, title: titles[status] ?? 'Error', status, detail, code, ...extra };
}

/**
 * The one error handler: known errors become problem+json with a stable
 * code; anything unexpected is logged and shown as a bare 500.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | ZodError, request, reply) => {
    const problem = problemFor(error, request);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });
}

/** How an error is shown: one classification for every renderer (problem+json here, FHIR's OperationOutcome under /fhir). */
export function problemFor(error: FastifyError | AppError | ZodError, request: FastifyRequest): Problem {
  let problem: Problem;
  if (error instanceof AppError) {
    problem = problemOf(error.status, error.code, error.message, error.details ? { details: error.details } : {});
  } else if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: [error.validationContext, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is invalid',
    }));
    problem = problemOf(400, 'validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  } else if (error instanceof ZodError) {
    const errors = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    problem = problemOf(400, 'validation_failed', errors.map((e) => `${e.path || 'value'}: ${e.message}`).join('; '), { errors });
  } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'body_too_large'
        : error.statusCode === 429
          ? 'rate_limited'
          : error.statusCode === 413
            ? 'document_too_large'
            : error.statusCode === 415
              ? 'unsupported_media_type'
              : 'validation_failed';
    problem = problemOf(error.statusCode, code, error.message);
  } else {
    request.log.error({ err: error }, 'unexpected error');
    problem = problemOf(500, 'internal_error', 'Something went wrong on our side; nothing was changed.');
  }
  return problem;
}
