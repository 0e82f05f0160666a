import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { DatabaseHandle } from '../db/connect.ts';
import type { PayoutItem, ReconciliationEvent } from '../services/processors/payment-processor.ts';
import { AppError } from '../domain/errors.ts';
import { roles } from '../domain/roles.ts';

// Each command imports what it uses when it runs (`await import(...)`), not at start: every module is
// transpiled and loaded through tsx's loader thread, so loading all commands' modules cost every command
// (`ledger --help` included) over a second of CPU before it began (ADR 0042).

/**
 * `ledger`: the operator's and integrator's command line. It uses the same
 * DATA_DIR / DATABASE_URL as the server and the same services, so whatever it
 * does is audited and balanced exactly as through the API.
 */
async function withDatabase<T>(fn: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { connectDatabase, migrateToLatest }] = await Promise.all([import('../config/config.ts'), import('../db/connect.ts')]);
  const config = loadConfig();
  const handle = connectDatabase(config);
  try {
    await migrateToLatest(handle.db);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function practiceActor(handle: DatabaseHandle, slug: string) {
  const [{ findPracticeBySlug }, { cliActor }] = await Promise.all([import('../services/practices/create-practice.ts'), import('../services/actor.ts')]);
  const practice = await findPracticeBySlug(handle.db, slug);
  return cliActor(practice.id);
}

const program = new Command()
  .name('ledger')
  .description('Patient Ledger command line: practices, users, tokens, data and ledger checks')
  .showHelpAfterError();

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(() =>
    withDatabase(async (handle) => {
      console.log(`Database (${handle.dialect}) is up to date.`);
    }),
  );

const practice = program.command('practice').description('manage practices');
practice
  .command('create')
  .description('create a practice')
  .requiredOption('--slug <slug>', 'short unique name, e.g. riverside')
  .requiredOption('--name <name>', 'display name')
  .action((opts: { slug: string; name: string }) =>
    withDatabase(async ({ db }) => {
      const { createPractice } = await import('../services/practices/create-practice.ts');
      const created = await createPractice(db, opts);
      console.log(`Created practice ${created.slug} (${created.name}), id ${created.id}`);
    }),
  );

const token = program.command('token').description('manage API tokens');
token
  .command('create')
  .description('create an API token; prints only the token')
  .requiredOption('--practice <slug>', 'practice slug')
  .addOption(new Option('--role <role>', 'role of the token').choices([...roles]).makeOptionMandatory())
  .option('--name <name>', 'label for the token')
  .option('--expires-in-days <days>', 'days until the token stops working (default: until revoked)', (v) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError('a whole number of days');
    return Number(v);
  })
  .action((opts: { practice: string; role: string; name?: string; expiresInDays?: number }) =>
    withDatabase(async (handle) => {
      const actor = await practiceActor(handle, opts.practice);
      const { createApiToken } = await import('../services/auth/create-api-token.ts');
      const { token: secret } = await createApiToken(handle.db, actor, { role: opts.role, name: opts.name, expiresInDays: opts.expiresInDays });
      process.stdout.write(`${secret}\n`);
    }),
  );
token
  .command('list')
  .description("list a practice's API tokens: id, state, role, name, created, expires, last used (never the token)")
  .requiredOption('--practice <slug>', 'practice slug')
  .action((opts: { practice: string }) =>
    withDatabase(async (handle) => {
      const actor = await practiceActor(handle, opts.practice);
      const { listApiTokens } = await import('../services/auth/api-tokens.ts');
      const tokens = await listApiTokens(handle.db, actor);
      console.log(['id', 'state', 'role', 'name', 'created', 'expires', 'last used'].join('\t'));
      for (const t of tokens) {
        console.log([t.id, t.state, t.role, t.name, t.createdAt, t.expiresAt ?? 'never', t.lastUsedAt ?? 'never'].join('\t'));
      }
    }),
  );
token
  .command('revoke')
  .description('revoke an API token by id: it answers 401 from now on')
  .argument('<id>', 'token id (from `ledger token list`)')
  .action((tokenId: string) =>
    withDatabase(async (handle) => {
      const [{ findApiTokenPractice, revokeApiToken }, { cliActor }] = await Promise.all([import('../services/auth/api-tokens.ts'), import('../services/actor.ts')]);
      const practiceId = await findApiTokenPractice(handle.db, tokenId);
      const revoked = await revokeApiToken(handle.db, cliActor(practiceId), tokenId);
      console.log(`Revoked token ${revoked.id} (${revoked.name}) at ${revoked.revokedAt}`);
    }),
  );

program
  .command('user')
  .description('manage staff users')
  .command('create')
  .description('create a staff login')
  .requiredOption('--practice <slug>', 'practice slug')
  .requiredOption('--email <email>', 'login email')
  .requiredOption('--password <password>', 'at least 8 characters')
  .addOption(new Option('--role <role>', 'role').choices([...roles]).makeOptionMandatory())
  .option('--name <name>', 'display name')
  .action((opts: { practice: string; email: string; password: string; role: string; name?: string }) =>
    withDatabase(async (handle) => {
      const actor = await practiceActor(handle, opts.practice);
      const { createUser } = await import('../services/auth/create-user.ts');
      const user = await createUser(handle.db, actor, opts);
      console.log(`Created ${user.role} ${user.email}`);
    }),
  );

program
  .command('location')
  .description('manage locations')
  .command('create')
  .requiredOption('--practice <slug>', 'practice slug')
  .requiredOption('--name <name>', 'location name')
  .action((opts: { practice: string; name: string }) =>
    withDatabase(async (handle) => {
      const actor = await practiceActor(handle, opts.practice);
      const { createLocation } = await import('../services/locations/locations.ts');
      const location = await createLocation(handle.db, actor, { name: opts.name });
      console.log(`Created location ${location.name}, id ${location.id}`);
    }),
  );

program
  .command('verify')
  .description('prove the ledger: every journal line explained by its source record and every account reconciled (exit 0), or list what is off (exit 1)')
  .option('--practice <slug>', 'only this practice')
  .option('--trial-balance', 'also print the trial balance of each practice')
  .option('--as-of <date>', 'trial balance as of this day (YYYY-MM-DD)')
  .action((opts: { practice?: string; trialBalance?: boolean; asOf?: string }) =>
    withDatabase(async (handle) => {
      const [{ findPracticeBySlug }, { verifyLedger }, { trialBalance }, { formatCents }] = await Promise.all([
        import('../services/practices/create-practice.ts'),
        import('../services/ledger/verify-ledger.ts'),
        import('../services/ledger/trial-balance.ts'),
        import('../domain/money.ts'),
      ]);
      const practiceId = opts.practice ? (await findPracticeBySlug(handle.db, opts.practice)).id : undefined;
      if (opts.trialBalance) {
        const practices = await handle.db
          .selectFrom('practices')
          .select(['id', 'slug', 'name'])
          .$if(practiceId !== undefined, (q) => q.where('id', '=', practiceId!))
          .orderBy('slug')
          .execute();
        for (const practice of practices) {
          const tb = await trialBalance(handle.db, practice.id, opts.asOf);
          console.log(`Trial balance of ${practice.name} (${practice.slug})${tb.asOf ? ` as of ${tb.asOf}` : ''}`);
          for (const line of tb.accounts) console.log(`  ${line.account.padEnd(24)} ${formatCents(line.balanceCents).padStart(16)}`);
          console.log(`  ${'total'.padEnd(24)} ${formatCents(tb.totalCents).padStart(16)}`);
        }
      }
      const problems = await verifyLedger(handle.db, { practiceId });
      if (problems.length === 0) {
        console.log('Ledger balances: every journal line is explained by its source record, and every account, payment and treatment matches its journal.');
        return;
      }
      console.error(`Ledger does NOT balance: ${problems.length} problem(s)`);
      for (const p of problems) console.error(`  [${p.check}] ${p.entity}: ${p.detail}`);
      process.exitCode = 1;
    }),
  );

// Refund review (SPEC section 6): the server runs it daily; this runs it now, for any "as of" day.
program
  .command('review-refunds')
  .description('run the refund review: open a refund-owed task for each case with unapplied funds left after its claims are done')
  .requiredOption('--practice <slug>', 'practice slug')
  .option('--as-of <date>', 'review as of this day, YYYY-MM-DD (default: today in the practice time zone)')
  .option('--days <n>', 'days to wait after the last claim is processed (default: the practice setting, else REFUND_REVIEW_DAYS, 45)', (v) => Number(v))
  .action((opts: { practice: string; asOf?: string; days?: number }) =>
    withDatabase(async (handle) => {
      const [{ loadConfig }, { practiceDate, practiceRefundReviewDays }, { runRefundReview }, { formatCents }, { MAX_DAYS_AHEAD, utcDateFromNow }] = await Promise.all([
        import('../config/config.ts'),
        import('../services/practices/practice-settings.ts'),
        import('../services/tasks/run-refund-review.ts'),
        import('../domain/money.ts'),
        import('../contracts/common.ts'),
      ]);
      const actor = await practiceActor(handle, opts.practice);
      const asOf = opts.asOf ?? (await practiceDate(handle.db, actor.practiceId));
      if (asOf > utcDateFromNow(MAX_DAYS_AHEAD)) throw new AppError('validation_failed', `--as-of must be at most ${MAX_DAYS_AHEAD} days ahead.`);
      const days = opts.days ?? (await practiceRefundReviewDays(handle.db, actor.practiceId, loadConfig().refundReviewDays));
      const started = performance.now();
      const result = await runRefundReview(handle.db, actor, { asOf, days });
      const seconds = (performance.now() - started) / 1000;
      for (const task of result.created) {
        console.log(`  refund-owed task ${task.taskId}: patient ${task.patientId}, ${formatCents(task.amountCents)}, due ${task.dueDate}`);
      }
      console.log(`Refund review of ${opts.practice} as of ${asOf} (${days} days): ${result.reviewed} case(s) reviewed, ${result.tasksCreated} refund-owed task(s) created in ${seconds.toFixed(2)} s.`);
    }),
  );

program
  .command('deliver-webhooks')
  .description('send the webhooks that are due (for cron): safe beside running servers and other runs, never sends one attempt twice')
  .action(() =>
    withDatabase(async (handle) => {
      const [{ loadConfig }, { deliverWebhooks }, { deliveryOptions }] = await Promise.all([import('../config/config.ts'), import('../services/webhooks/deliver-webhooks.ts'), import('../jobs/webhook-delivery.ts')]);
      const result = await deliverWebhooks(handle.db, deliveryOptions(handle, loadConfig(), { warn: (obj, msg) => console.error(msg, JSON.stringify(obj)) }));
      console.log(`Webhooks: ${result.eventsFannedOut} event(s) queued, ${result.attempted} attempt(s), ${result.delivered} delivered.`);
    }),
  );

program
  .command('deliver-messages')
  .description('send the emails and texts that are due (for cron): safe beside running servers and other runs, never sends one attempt twice')
  .action(() =>
    withDatabase(async (handle) => {
      const [{ loadConfig }, { deliverMessages }, { messageDeliveryOptions }] = await Promise.all([import('../config/config.ts'), import('../services/messages/deliver-messages.ts'), import('../jobs/message-delivery.ts')]);
      const options = messageDeliveryOptions(handle, loadConfig(), { warn: (obj, msg) => console.error(msg, JSON.stringify(obj)) });
      try {
        const result = await deliverMessages(handle.db, options);
        console.log(`Messages: ${result.attempted} attempt(s), ${result.sent} sent.`);
      } finally {
        options.channels.email.close?.();
      }
    }),
  );

program
  .command('sandbox-event')
  .argument('<file>', 'a JSON event in our terms: {"kind": "dispute_opened"|"dispute_closed"|"payout_paid"|"charge_succeeded", …}; a payout brings its "items"')
  .description('simulate a sandbox processor event (a dispute opened or closed, a payout paid, a charge made in the dashboard) through the same reconciliation as Stripe webhooks; refused unless the sandbox is the processor')
  .action((file: string) =>
    withDatabase(async (handle) => {
      const [{ loadConfig }, { SandboxProcessor }, { handleProcessorEvent }] = await Promise.all([
        import('../config/config.ts'),
        import('../services/processors/sandbox-processor.ts'),
        import('../services/reconciliation/handle-processor-event.ts'),
      ]);
      if (loadConfig().processor !== 'sandbox') throw new InvalidArgumentError('sandbox-event only runs with the sandbox processor (PAYMENT_PROCESSOR=sandbox).');
      const event = JSON.parse(fs.readFileSync(file, 'utf8')) as ReconciliationEvent & { items?: PayoutItem[] };
      if (!['dispute_opened', 'dispute_closed', 'payout_paid', 'charge_succeeded'].includes(event.kind)) throw new InvalidArgumentError(`unknown event kind ${String(event.kind)}`);
      const sandbox = new SandboxProcessor();
      // The sandbox remembers nothing across processes: the payout's transactions come with the event.
      if (event.kind === 'payout_paid') sandbox.recordPayout(event.payout.id, event.items ?? []);
      const outcome = await handleProcessorEvent(handle.db, sandbox, event);
      console.log(JSON.stringify(outcome));
    }),
  );

program
  .command('seed')
  .description('fast bulk demo data (patients, visits, payments) for load tests')
  .requiredOption('--practice <slug>', 'practice slug (created if missing)')
  .option('--patients <n>', 'patients to add', (v) => Number.parseInt(v, 10), 100)
  .option('--payments <n>', 'payments to add', (v) => Number.parseInt(v, 10), 1000)
  .option('--claims <n>', 'of the patients added, this many insured, each visit on a submitted claim PL0000001 up (the numbering of a generated 835)', (v) => Number.parseInt(v, 10), 0)
  .action((opts: { practice: string; patients: number; payments: number; claims: number }) =>
    withDatabase(async (handle) => {
      const [{ createPractice }, { cliActor }, { seedBulk }, { default: cliProgress }] = await Promise.all([
        import('../services/practices/create-practice.ts'),
        import('../services/actor.ts'),
        import('../services/demo/seed-bulk.ts'),
        import('cli-progress'),
      ]);
      const existing = await handle.db.selectFrom('practices').select('id').where('slug', '=', opts.practice).executeTakeFirst();
      const practiceId = existing?.id ?? (await createPractice(handle.db, { slug: opts.practice, name: opts.practice })).id;
      const bar = new cliProgress.SingleBar({ format: 'seeding [{bar}] {value}/{total} rows  {eta_formatted} left', hideCursor: true }, cliProgress.Presets.shades_classic);
      const started = Date.now();
      bar.start(opts.patients + opts.payments, 0);
      await seedBulk(handle.db, cliActor(practiceId), { ...opts, dialect: handle.dialect }, (done) => bar.update(done));
      bar.stop();
      console.log(`Seeded ${opts.patients} patients and ${opts.payments} payments into ${opts.practice} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    }),
  );

program
  .command('import-era')
  .description('import an X12 835 remittance file: post what matches, list exceptions and duplicates (exit 2: the file could not be read; 1: nothing was posted though claims were not duplicates)')
  .argument('<file>', 'the 835 file')
  .requiredOption('--practice <slug>', 'practice slug')
  .option('--preview', 'show what it would post without posting')
  .action((file: string, opts: { practice: string; preview?: boolean }) =>
    withDatabase(async (handle) => {
      const [{ importRemittance, previewRemittance }, { formatCents }, { default: cliProgress }] = await Promise.all([
        import('../services/remittance/import-remittance.ts'),
        import('../domain/money.ts'),
        import('cli-progress'),
      ]);
      const actor = await practiceActor(handle, opts.practice);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        throw new AppError('file_unreadable', `Cannot read ${file}: no such file.`);
      }
      const bar = new cliProgress.SingleBar({ format: 'reading [{bar}] {percentage}%  {claims} claims', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      if (!opts.preview) bar.start(size, 0, { claims: 0 });
      const source = fs.createReadStream(file);
      const fileName = path.basename(file);
      let result;
      try {
        result = opts.preview
          ? await previewRemittance(handle.db, actor, source, { fileName })
          : await importRemittance(handle.db, actor, source, { fileName, onProgress: (p) => bar.update(p.bytes, { claims: p.claims }) });
      } finally {
        if (!opts.preview) bar.stop();
      }
      const money = (c: number) => formatCents(c);
      console.log(`${opts.preview ? 'Preview of' : result.duplicate ? 'Already imported:' : 'Imported'} ${fileName} (import ${result.id}${result.duplicate ? ` of ${result.createdAt.slice(0, 10)}` : ''})`);
      for (const p of result.payments) {
        const parts = [`${p.postedCount} posted`, `${p.exceptionCount} exceptions`, `${p.duplicateCount} duplicates`];
        console.log(`  payment ${p.traceNumber ?? p.controlNumber} from ${p.payerName ?? 'unknown payer'}: ${money(p.paymentCents)}${p.providerAdjustmentCents ? `, provider adjustments ${money(p.providerAdjustmentCents)}` : ''}, ${p.claimCount} claims (${parts.join(', ')}), ${p.status}${p.balanced ? '' : ', does not balance'}${p.message ? ` — ${p.message}` : ''}`);
      }
      console.log(`  claims: ${result.claimCount} read, ${result.postedCount} posted, ${result.exceptionCount} exceptions, ${result.duplicateCount} duplicates${result.truncated ? ' (the lists below stop at 1,000 each)' : ''}`);
      for (const e of result.exceptions) console.log(`  exception ${e.patientControlNumber} (status ${e.statusCode}, ${money(e.paidCents)}, segment ${e.segmentNumber}): ${e.message}`);
      for (const d of result.duplicates) console.log(`  duplicate ${d.patientControlNumber} (${money(d.paidCents)}): ${d.message}`);
      for (const w of result.warnings) console.log(`  warning${w.segmentNumber ? ` at segment ${w.segmentNumber}` : ''}: ${w.message}`);
      // Nothing posted although some claims were not simply already posted: a person must look.
      if (result.postedCount === 0 && result.claimCount > result.duplicateCount) process.exitCode = 1;
    }),
  );

program
  .command('import-271')
  .description("store a payer's X12 271 eligibility response as the patient's eligibility check")
  .argument('<file>', 'the 271 file')
  .requiredOption('--patient <id>', "the patient's id, or the account ID printed on statements (with --practice)")
  .option('--practice <slug>', 'practice slug (needed when --patient is an account ID)')
  .option('--service-type <code>', 'EB03 service type whose figures to use', '98')
  .action((file: string, opts: { patient: string; practice?: string; serviceType: string }) =>
    withDatabase(async (handle) => {
      let data: Buffer;
      try {
        data = fs.readFileSync(file);
      } catch {
        throw new AppError('file_unreadable', `Cannot read ${file}: no such file.`);
      }
      const [{ cliActor }, { importEligibility271 }, { formatCents }] = await Promise.all([import('../services/actor.ts'), import('../services/eligibility/import-eligibility-271.ts'), import('../domain/money.ts')]);
      const practiceId = opts.practice ? (await practiceActor(handle, opts.practice)).practiceId : undefined;
      let query = handle.db.selectFrom('patients').select(['id', 'practiceId']).where((eb) => eb.or([eb('id', '=', opts.patient), eb('accountId', '=', opts.patient)]));
      if (practiceId) query = query.where('practiceId', '=', practiceId);
      const patients = await query.execute();
      if (patients.length === 0) throw new AppError('not_found', `No patient ${opts.patient}${opts.practice ? ` in ${opts.practice}` : ''}.`);
      if (patients.length > 1) throw new AppError('validation_failed', `Account ID ${opts.patient} is in several practices: add --practice.`);
      const patient = patients[0]!;
      const check = await importEligibility271(handle.db, cliActor(patient.practiceId), { patientId: patient.id, data, serviceType: opts.serviceType });
      const money = (c: number | null) => (c === null ? 'not stated' : formatCents(c));
      console.log(`Stored eligibility check ${check.id} for patient ${patient.id}: ${check.status}${check.payerName ? ` (${check.payerName})` : ''}`);
      console.log(`  copay ${money(check.copayCents)}, coinsurance ${check.coinsurancePercent === null ? 'not stated' : `${check.coinsurancePercent} %`}, deductible remaining ${money(check.deductibleRemainingCents)}, out-of-pocket remaining ${money(check.oopRemainingCents)}`);
      for (const r of check.rejections) console.log(`  rejected: ${r.code} ${r.description}`);
      for (const w of check.warnings) console.log(`  warning: ${w}`);
      if (check.status === 'rejected') process.exitCode = 1;
    }),
  );

program
  .command('statements')
  .description('write a PDF statement for every patient with a balance into a folder')
  .requiredOption('--practice <slug>', 'practice slug')
  .requiredOption('--out <dir>', 'folder for the PDFs (created if missing)')
  .action((opts: { practice: string; out: string }) =>
    withDatabase(async (handle) => {
      const [{ loadConfig }, { practiceDate }, { writeStatements }, { formatCents }, { default: cliProgress }] = await Promise.all([
        import('../config/config.ts'),
        import('../services/practices/practice-settings.ts'),
        import('../services/statements/write-statements.ts'),
        import('../domain/money.ts'),
        import('cli-progress'),
      ]);
      const actor = await practiceActor(handle, opts.practice);
      const bar = new cliProgress.SingleBar({ format: 'statements [{bar}] {value}/{total}  {eta_formatted} left', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      const today = await practiceDate(handle.db, actor.practiceId);
      const written = await writeStatements(handle.db, actor, {
        outDir: path.resolve(opts.out),
        publicUrl: loadConfig().publicUrl,
        today,
        onStart: (total) => bar.start(total, 0),
        onProgress: (done) => bar.update(done),
      });
      bar.stop();
      const due = written.reduce((sum, w) => sum + w.balanceDueCents, 0);
      console.log(`Wrote ${written.length} statement(s) of ${opts.practice} to ${path.resolve(opts.out)}, ${formatCents(due)} due in all.`);
    }),
  );

program
  .command('demo')
  .description('create the demo practice (slug demo) with demo data, if it does not exist')
  .action(() =>
    withDatabase(async (handle) => {
      const [{ withStartupLock }, { ensureDemoPractice }] = await Promise.all([import('../db/startup-lock.ts'), import('../services/demo/seed-demo-data.ts')]);
      const result = await withStartupLock(handle, () => ensureDemoPractice(handle.db));
      console.log(result.created ? 'Created the demo practice.' : 'The demo practice already exists.');
    }),
  );

program
  .command('backup')
  .description('write an online, consistent backup (database and documents) to FILE, while the server runs (SQLite)')
  .argument('<file>', 'the archive to write, e.g. ledger-2026-11-29.tar.gz')
  .action(async (file: string) => {
    const [{ loadConfig }, { BackupError, createBackup }] = await Promise.all([import('../config/config.ts'), import('../services/backup/backup-archive.ts')]);
    const config = loadConfig();
    if (config.databaseUrl) {
      // pg_dump is PostgreSQL's own consistent online backup; wrapping it here would only hide its options.
      throw new BackupError(
        'this deployment uses PostgreSQL: back up with `pg_dump --format=custom "$DATABASE_URL" > ledger.dump` ' +
          'and copy DATA_DIR/documents after it (see README, "Backup and restore")',
      );
    }
    const manifest = await createBackup({ dataDir: config.dataDir, file });
    const { counts } = manifest;
    console.log(`Backed up ${counts.practices} practice(s), ${counts.payments} payment(s), ${counts.documents} document(s) to ${path.resolve(file)}`);
  });

program
  .command('restore')
  .description('restore a backup made by `ledger backup` into a data folder (new or empty unless --force)')
  .argument('<file>', 'the archive')
  .requiredOption('--data-dir <dir>', 'the data folder to restore into')
  .option('--force', 'replace the database and documents of a folder that is not empty (stop its server first)')
  .action(async (file: string, opts: { dataDir: string; force?: boolean }) => {
    const { restoreBackup } = await import('../services/backup/backup-archive.ts');
    const manifest = await restoreBackup({ file, dataDir: opts.dataDir, force: opts.force === true });
    const { counts } = manifest;
    console.log(`Restored ${counts.practices} practice(s), ${counts.payments} payment(s), ${counts.documents} document(s) from ${manifest.createdAt} into ${path.resolve(opts.dataDir)}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { BackupError } = await import('../services/backup/backup-archive.ts');
  if (error instanceof AppError || error instanceof BackupError || (error as Error)?.name === 'ZodError') {
    console.error(`ledger: ${(error as Error).message}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
