import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { authentication } from './plugins/authentication.ts';
import { requestGuards } from './plugins/request-guards.ts';
import { securityHeaders } from './plugins/security-headers.ts';
import { isApiPath } from './plugins/guarded-paths.ts';
import { problemOf, registerErrorHandler } from './plugins/error-handler.ts';
import { lazyChildLogger, RequestLog } from './logging.ts';
import { healthProbeReuseMs, sharedProbe } from './health-probe.ts';
import { authRoutes } from './routes/auth.ts';
import { patientRoutes } from './routes/patients.ts';
import { paymentRoutes } from './routes/payments.ts';
import { locationRoutes } from './routes/practice-setup.ts';
import { treatmentRoutes } from './routes/treatments.ts';
import { creditRoutes } from './routes/credits.ts';
import { refundRoutes } from './routes/refunds.ts';
import { reportRoutes } from './routes/reports.ts';
import { taskRoutes } from './routes/tasks.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { messageRoutes } from './routes/messages.ts';
import { remittanceRoutes } from './routes/remittances.ts';
import { portalRoutes } from './routes/portal.ts';
import { paymentLinkRoutes } from './routes/payment-links.ts';
import { eligibilityRoutes } from './routes/eligibility.ts';
import { statementRoutes } from './routes/statements.ts';
import { securityRoutes } from './routes/security.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';
import { exportRoutes } from './routes/exports.ts';
import { ledgerReportRoutes } from './routes/ledger-reports.ts';
import { receiptRoutes } from './routes/receipts.ts';
import { practiceListRoutes } from './routes/practice-lists.ts';
import { processorReconciliationRoutes } from './routes/processor-reconciliation.ts';
import { userRoutes } from './routes/users.ts';
import { remittanceWorkRoutes } from './routes/remittance-work.ts';
import { fhirRoutes } from './routes/fhir.ts';
import { webhookOpenApi } from '../contracts/webhooks.ts';
import { createProcessor } from '../services/processors/create-processor.ts';
import type { PaymentProcessor } from '../services/processors/payment-processor.ts';

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger?: FastifyServerOptions['logger'];
  /** The card processor; made from the config unless a test passes its own. */
  processor?: PaymentProcessor;
}

/**
 * Builds the app without listening: tests drive it through inject(), the
 * server entry point listens. Plugins load in a fixed order: security
 * headers, cookies, auth, then the API, the docs and the web app.
 */
export async function buildApp({ config, database, logger = false, processor = createProcessor(config) }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    // One line per request instead of two (logging.ts).
    logController: new RequestLog(),
    // A request's child logger is built when it first logs (logging.ts).
    childLoggerFactory: lazyChildLogger,
    // 1 MB for every body unless a route says otherwise (the 835 upload);
    // a larger Content-Length is refused before a byte is read.
    bodyLimit: 1024 * 1024,
    // Behind a proxy (TRUST_PROXY), request.ip is the client's, so per-address limits stay per patient.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  // Stripe's Payment Element (ADR 0027): its script, its card frames and its API, as Stripe's CSP guide lists them; nothing else from outside.
  const stripe = processor.hostedCardEntry ? { script: ['https://js.stripe.com', 'https://*.js.stripe.com'], frame: ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'], connect: ['https://api.stripe.com'] } : { script: [], frame: [], connect: [] };
  await app.register(securityHeaders, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...stripe.script],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...stripe.connect],
        frameSrc: ["'self'", ...stripe.frame],
        // Served over plain http on a LAN too: do not make browsers rewrite requests to https.
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patient Ledger API',
        version: '1',
        description:
          'Patient payments, refunds, credits and remittance. Money is integer cents (fields named …Cents); ' +
          'calendar dates are YYYY-MM-DD; errors are application/problem+json with a stable `code`. ' +
          'Money-moving POSTs accept an Idempotency-Key header.',
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      // Outgoing webhooks: each event type with its signed body.
      webhooks: webhookOpenApi(),
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  // text/plain bodies (an 835 or 271 file) use Fastify's own parser, under each route's bodyLimit.

  // Built once: a health probe reaches the database without Kysely building the query each time, and
  // answers a body serialised at start-up (no per-request schema serialiser: issue 12, ADR 0031). Checks
  // that arrive together share one probe (ADR 0044), and a good probe answers the checks of the next second
  // (ADR 0059: a public endpoint must not be able to drive the database's load).
  const healthQuery = database.db.selectFrom('practices').select('id').limit(1).compile();
  const probeDatabase = sharedProbe(() => database.db.executeQuery(healthQuery), healthProbeReuseMs);
  const healthBody = JSON.stringify({ status: 'ok', database: database.dialect });
  const unhealthyBody = JSON.stringify({ status: 'unavailable', database: database.dialect });
  app.get('/health', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    try {
      await probeDatabase();
    } catch (error) {
      // A load balancer reads 503 as "take this instance out"; the cause goes to the log in full.
      request.log.error({ err: error }, 'health check: the database did not answer');
      return reply.code(503).type('application/json; charset=utf-8').send(unhealthyBody);
    }
    return reply.type('application/json; charset=utf-8').send(healthBody);
  });

  const deps = { db: database.db, config, processor, dialect: database.dialect };
  // What carries patient data (the API and FHIR) sits in one scope with the cookie parser, the request guards
  // and authentication. Their hooks then never run for /health, the pages and the docs, which read no cookie,
  // need no sign-in and take no input field: those pass the security headers' hook only (issue 12, ADR 0055).
  await app.register(async (guarded) => {
    await guarded.register(cookie);
    await guarded.register(requestGuards, { publicUrl: config.publicUrl });
    await guarded.register(authentication, { db: database.db });
    await guarded.register(
      async (api) => {
        // An unknown API path is answered inside the scope, after its hooks, as when they were global: a
        // caller without credentials hears 401 before it learns which paths exist.
        api.setNotFoundHandler(notFound);
        api.get('/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
        await api.register(apiV1Routes, { prefix: '/v1', deps });
      },
      { prefix: '/api' },
    );
    // FHIR R4 for EHRs (ADR 0020): the same tokens and guards, FHIR's own error format.
    await guarded.register(fhirRoutes, { db: database.db, publicUrl: config.publicUrl, prefix: '/fhir/R4' });
  });

  await registerWebApp(app);
  return app;
}

/** What every route plugin of the API is given. */
interface RouteDeps {
  db: DatabaseHandle['db'];
  dialect: DatabaseHandle['dialect'];
  config: Config;
  processor: PaymentProcessor;
}

/** The JSON API's routes, under /api/v1. */
async function apiV1Routes(api: FastifyInstance, { deps }: { deps: RouteDeps }): Promise<void> {
  // Uploads (documents, 835s, 271s) only reach the API: its hooks (an async onResponse per request)
  // stay off /health, the pages and FHIR (issue 12, ADR 0049).
  await api.register(multipart, { limits: { fileSize: deps.config.maxDocumentBytes, files: 1 } });
  const routePlugins: FastifyPluginAsync<RouteDeps>[] = [
    authRoutes,
    locationRoutes,
    patientRoutes,
    treatmentRoutes,
    paymentRoutes,
    refundRoutes,
    creditRoutes,
    taskRoutes,
    webhookRoutes,
    processorReconciliationRoutes,
    remittanceRoutes,
    remittanceWorkRoutes,
    portalRoutes,
    paymentLinkRoutes,
    eligibilityRoutes,
    statementRoutes,
    reportRoutes,
    securityRoutes,
    webhookEndpointRoutes,
    practiceListRoutes,
    userRoutes,
    exportRoutes,
    ledgerReportRoutes,
    receiptRoutes,
    messageRoutes,
  ];
  for (const routes of routePlugins) await api.register(routes, deps);
}

/** No route: problem+json, for the API and anything else that is not a page of the web app. */
function notFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply
    .status(404)
    .type('application/problem+json')
    .send(problemOf(404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
}

/** TRUST_PROXY=N: believe the N nearest X-Forwarded-For hops (N proxies in front). */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** The patient pages' own bundle (ADR 0027): the portal at /pay and payment links at /pay/<token>. */
export function isPatientPagePath(url: string): boolean {
  return /^\/pay(?:\/[^/?#]+)?\/?(?:[?#].*)?$/.test(url);
}

/** A build output under assets/ (Vite names each one by a hash of its content). */
function isHashedAsset(filePath: string): boolean {
  return filePath.startsWith(path.join(webDist, 'assets') + path.sep);
}

/** Serves the built web app, with client-side routes falling back to index.html, and the patient pages to portal.html. */
async function registerWebApp(app: FastifyInstance): Promise<void> {
  const hasWeb = fs.existsSync(path.join(webDist, 'index.html'));
  const hasPortal = fs.existsSync(path.join(webDist, 'portal.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: ['index.html'],
      // The build names every asset by its content's hash, so a browser keeps it for good; the pages themselves
      // (index.html, portal.html) are asked again each time, so a new build reaches users at once.
      cacheControl: false,
      setHeaders: (res, filePath) => res.setHeader('cache-control', isHashedAsset(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const isPage = request.method === 'GET' && !isApiPath(request.url) && !request.url.startsWith('/docs');
    if (hasPortal && isPage && isPatientPagePath(request.url)) return reply.type('text/html').sendFile('portal.html');
    if (hasWeb && isPage) return reply.type('text/html').sendFile('index.html');
    return notFound(request, reply);
  });
}
