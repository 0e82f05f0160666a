/**
 * The one way the web app talks to the server: JSON over fetch with the session
 * cookie, problem+json errors turned into ApiError, and an Idempotency-Key on
 * POSTs that move money.
 */

export const API_BASE = '/api/v1';

/** An error answered by the API (application/problem+json) or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;

  constructor(init: { status: number; code: string; title: string; detail: string }) {
    super(init.detail || init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

export type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

/** Builds `?a=1&b=x,y`, leaving out empty values; arrays become comma lists (the API's convention). */
export function toQueryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
      continue;
    }
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function apiUrl(path: string, query?: Query): string {
  return `${API_BASE}${path}${toQueryString(query)}`;
}

/** A v4 UUID; crypto.randomUUID exists only in secure contexts (https, localhost). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

async function toApiError(response: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      problem = (await response.json()) as Record<string, unknown>;
    } catch {
      problem = {};
    }
  }
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return new ApiError({
    status: typeof problem.status === 'number' ? problem.status : response.status,
    code: text(problem.code) || `http_${response.status}`,
    title: text(problem.title) || response.statusText || 'Request failed',
    detail: text(problem.detail) || text(problem.message),
  });
}

const accept = 'application/json, application/problem+json';

/** GETs started before the app's code ran (first-requests.ts), by URL, each waiting for the first request of it. */
const early = new Map<string, Promise<Response>>();
// Whether the app itself has sent a request yet (after which nothing is started early).
let appHasAsked = false;

/**
 * Sends a GET now; the first `api.get` of the same path and query takes its answer instead of asking again,
 * so the first page's data travels while the app's code is still loading (ADR 0039). Errors, 401s and
 * parsing stay the taker's, as for any request.
 */
export function startEarly(path: string, query?: Query): void {
  // first-requests.ts runs as soon as it is in (an async script), which may be after the app has started on a
  // slow load: the app then asks for what it needs itself, and an early copy would be a second request.
  if (appHasAsked) return;
  const url = apiUrl(path, query);
  const response = fetch(url, { headers: { Accept: accept }, credentials: 'include' });
  response.catch(() => undefined); // reported by the request that takes it; one nobody takes is dropped
  early.set(url, response);
  // An answer nobody took at start-up would be stale later: from then on, ask afresh.
  setTimeout(() => early.delete(url), 10_000);
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  appHasAsked = true;
  const headers: Record<string, string> = { Accept: accept };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body; // the browser sets the multipart boundary
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;

  const url = apiUrl(path, options.query);
  const started = method === 'GET' ? early.get(url) : undefined;
  if (started) early.delete(url);
  // A write (signing in, above all) may change what those GETs would answer now.
  if (method !== 'GET') early.clear();
  let response: Response;
  try {
    response = await (started ??
      fetch(url, {
        method,
        headers,
        body,
        credentials: 'include',
        signal: options.signal,
      }));
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError({
      status: 0,
      code: 'network_error',
      title: 'Cannot reach the server',
      detail: 'Check your connection and try again.',
    });
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  /** A POST that moves money: carries an Idempotency-Key so a retry cannot post twice. */
  postMoney: <T>(path: string, body: unknown, idempotencyKey: string = newIdempotencyKey()) =>
    request<T>('POST', path, { body, idempotencyKey }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, form: FormData, query?: Query) => request<T>('POST', path, { body: form, query }),
};
