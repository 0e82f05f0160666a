// The ceiling for the app's HTTP rows: the same Fastify (the project's own copy), one no-op JSON route, no plugins.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/noop', async () => ({ ok: true }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
console.log('ready');
