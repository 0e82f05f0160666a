// The load generator, a process of its own: `node bench/load.mjs '<json>'`, prints one JSON result.
// mode "rate": autocannon against one URL (a fresh Idempotency-Key per POST, as a client retrying safely would send).
// mode "latency": sequential GETs, one at a time, for p50/p95/p99 of a single user's wait.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

if (options.mode === 'rate') {
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 32,
    duration: options.duration ?? 10,
    method: options.method ?? 'GET',
    headers: { ...options.headers, ...(options.body ? { 'content-type': 'application/json' } : {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
    requests: options.method === 'POST' ? [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': randomUUID() } }) }] : undefined,
  });
  console.log(
    JSON.stringify({
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      total: result.requests.total,
    }),
  );
} else if (options.mode === 'latency') {
  const times = [];
  let failures = 0;
  for (let i = 0; i < options.count; i++) {
    const url = options.urls[i % options.urls.length];
    const started = performance.now();
    const response = await fetch(url, { headers: options.headers });
    await response.arrayBuffer();
    times.push(performance.now() - started);
    if (!response.ok) failures++;
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), failures }));
} else {
  throw new Error(`unknown mode ${options.mode}`);
}
