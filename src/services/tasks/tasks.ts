import { pageWithTotal } from '../whole-list.ts';
import type { CompleteTaskBody, ListTasksQuery, Task, TaskResolution, TaskStatus, TaskType } from '../../contracts/tasks.ts';
import type { TaskTable } from '../../db/database.ts';
import { nowIso } from '../../db/ids.ts';
import { recordAudit } from '../../db/repositories/audit.ts';
import { enqueueEvent } from '../../db/repositories/outbox.ts';
import { inTransaction, type Db, type Trx } from '../../db/transaction.ts';
import { AppError } from '../../domain/errors.ts';
import { formatCents } from '../../domain/money.ts';
import type { Actor } from '../actor.ts';
import { idempotently, type IdempotencyRequest } from '../idempotency/idempotently.ts';
import type { PaymentProcessor } from '../processors/payment-processor.ts';
import { refundPayment, type RefundRequest } from '../refunds/refund-payment.ts';
import { refundableUnappliedFunds, takeOldestFirst, totalCents, type UnappliedLot } from './refundable-unapplied-funds.ts';

export interface TaskActionOptions {
  /** Card refunds of processor-charged payments go back through it. */
  processor: PaymentProcessor;
  publicUrl: string;
  idempotency?: IdempotencyRequest | undefined;
}

export function toTask(row: TaskTable, patientName: string): Task {
  return {
    id: row.id,
    patientId: row.patientId,
    patientName,
    type: row.type as TaskType,
    status: row.status as TaskStatus,
    amountCents: Number(row.amountCents),
    dueDate: row.dueDate,
    createdAt: row.createdAt,
    resolvedAt: row.resolvedAt,
    resolvedBy: row.resolvedBy,
    resolution: parseResolution(row.resolution),
  };
}

/** Only a finished resolution is shown; the marker of one in progress is internal. */
function parseResolution(text: string | null): TaskResolution | null {
  if (!text) return null;
  const value = JSON.parse(text) as TaskResolution | { kind: 'in_progress' };
  return value.kind === 'refund' || value.kind === 'credit' ? value : null;
}

async function loadTask(db: Db, actor: Actor, taskId: string): Promise<Task> {
  const row = await db
    .selectFrom('tasks')
    .innerJoin('patients', 'patients.id', 'tasks.patientId')
    .selectAll('tasks')
    .select(['patients.firstName', 'patients.lastName'])
    .where('tasks.id', '=', taskId)
    .where('tasks.practiceId', '=', actor.practiceId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'Task not found.');
  return toTask(row, `${row.firstName} ${row.lastName}`);
}

/** GET /tasks: the work list, newest first. */
export async function listTasks(db: Db, actor: Actor, query: ListTasksQuery) {
  let base = db.selectFrom('tasks').where('tasks.practiceId', '=', actor.practiceId);
  if (query.type) base = base.where('tasks.type', '=', query.type);
  if (query.status) base = base.where('tasks.status', '=', query.status);
  if (query.patientId) base = base.where('tasks.patientId', '=', query.patientId);
  const page = await pageWithTotal(
    query,
    (n) =>
      base
        .innerJoin('patients', 'patients.id', 'tasks.patientId')
        .selectAll('tasks')
        .select(['patients.firstName', 'patients.lastName'])
        .orderBy('tasks.createdAt', 'desc')
        .orderBy('tasks.id', 'desc')
        .limit(query.pageSize)
        .offset((n - 1) * query.pageSize)
        .execute(),
    async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  );
  return { ...page, items: page.items.map((r) => toTask(r, `${r.firstName} ${r.lastName}`)) };
}

/**
 * Takes the task for this resolution: a conditional update from open, so of
 * two staff (or retries) resolving it at once exactly one goes on. The refunds
 * that follow commit one by one (a card refund asks the processor outside any
 * transaction), so the task is claimed first and given back if they fail.
 */
async function claimTask(db: Db, actor: Actor, taskId: string, status: 'completed' | 'dismissed'): Promise<Task> {
  const task = await loadTask(db, actor, taskId);
  if (task.type === 'dispute') {
    throw new AppError('business_rule', 'A dispute task closes by itself when the card processor settles the dispute (won or lost).');
  }
  const claimed = await db
    .updateTable('tasks')
    .set({ status, resolvedAt: nowIso(), resolvedBy: actor.name, resolution: JSON.stringify({ kind: 'in_progress' }) })
    .where('id', '=', taskId)
    .where('practiceId', '=', actor.practiceId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) {
    const now = await loadTask(db, actor, taskId);
    throw new AppError('task_not_open', `This task is already ${now.status === 'open' ? 'being resolved' : now.status}; only an open task can be completed or dismissed.`, {
      status: now.status,
    });
  }
  return task;
}

/** Gives a claimed task back (its refunds failed): open again, as before; the attempt stays in the audit log. */
async function reopenTask(db: Db, actor: Actor, task: Task, status: 'completed' | 'dismissed', failure: { message: string; refundIds: string[]; refundedCents: number }) {
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('tasks')
      .set({ status: 'open', resolvedAt: null, resolvedBy: null, resolution: null })
      .where('id', '=', task.id)
      .where('status', '=', status)
      .execute();
    await recordAudit(trx, actor, {
      action: status === 'completed' ? 'task.completion_failed' : 'task.dismissal_failed',
      entityType: 'task',
      entityId: task.id,
      after: { status: 'open', reason: failure.message, refundIds: failure.refundIds, refundedCents: failure.refundedCents },
    });
  });
}

/** Writes the resolution of a claimed task, with its audit and outbox event, in the transaction that stores the idempotent answer. */
async function finishTask(trx: Trx, actor: Actor, before: Task, status: 'completed' | 'dismissed', resolution: TaskResolution): Promise<Task> {
  await trx.updateTable('tasks').set({ resolution: JSON.stringify(resolution), resolvedAt: nowIso() }).where('id', '=', before.id).where('status', '=', status).execute();
  const after = await loadTask(trx, actor, before.id);
  await recordAudit(trx, actor, { action: `task.${status}`, entityType: 'task', entityId: before.id, before, after });
  await enqueueEvent(trx, actor.practiceId, `task.${status}`, after);
  return after;
}

type RefundPart = { paymentId: string; request: RefundRequest };
type RefundMade = { id: string; creditId: string | null; amountCents: number };

/**
 * The shape of both resolutions: claim the task, plan the refunds from the
 * patient's unapplied funds as they are now, make them one by one, then
 * write the resolution. If a refund fails, the task is open again and the
 * error says what (if anything) went through before it.
 */
async function resolveWithRefunds(
  db: Db,
  actor: Actor,
  taskId: string,
  status: 'completed' | 'dismissed',
  plan: (task: Task, lots: UnappliedLot[]) => RefundPart[],
  resolve: (refunds: RefundMade[]) => TaskResolution,
  options: TaskActionOptions,
): Promise<Task> {
  // Two-phase through the one idempotency helper: the key and the task's claim together, the refunds
  // (each its own transactions, a card refund asking the processor) outside, the resolution with the answer.
  const result = await idempotently<Task>(db, options.idempotency, 200, {
    claim: async (trx) => ({ pending: await claimTask(trx, actor, taskId, status) }),
    complete: async (pending, book) => {
      const task = pending as Task;
      const made: RefundMade[] = [];
      try {
        // Read after the claim: what is unapplied now, not when the list was loaded.
        const parts = plan(task, await refundableUnappliedFunds(db, actor, task.patientId));
        for (const part of parts) {
          // A dismissal is one credit for the patient: the first part makes the lot, the others add to it.
          const joinLot = part.request.asCredit ? made.find((r) => r.creditId !== null)?.creditId : undefined;
          // The funds were read above, not locked: the refund's own write refuses money an 835 or a biller applied since.
          const request: RefundRequest = { ...part.request, unappliedOnly: true, ...(joinLot ? { creditLotId: joinLot } : {}) };
          const refund = await refundPayment(db, actor, part.paymentId, request, { processor: options.processor, publicUrl: options.publicUrl });
          made.push({ id: refund.id, creditId: refund.creditId, amountCents: refund.amountCents });
        }
      } catch (error) {
        const refundIds = made.map((r) => r.id);
        const refundedCents = made.reduce((sum, r) => sum + r.amountCents, 0);
        await reopenTask(db, actor, task, status, { message: (error as Error).message, refundIds, refundedCents });
        if (made.length > 0 && error instanceof AppError) {
          throw new AppError(
            error.code,
            `${error.message} ${formatCents(refundedCents)} was refunded before the failure (refunds ${refundIds.join(', ')}); the task is open again for the rest.`,
            { ...error.details, refundIds, refundedCents },
          );
        }
        throw error;
      }
      // The money has moved: from here on the task stays resolved whatever happens.
      return book((trx) => finishTask(trx, actor, task, status, resolve(made)));
    },
  });
  return result.body;
}

/**
 * Completes a refund-owed task by recording the refund (SPEC section 6): the
 * amount comes out of the patient's unapplied funds, oldest payment first,
 * each part as a refund of that payment (reason insurance adjustment). Cash
 * and check refunds are recorded as such; a card refund of a payment charged
 * through our processor goes back through it, as does "original method",
 * which otherwise follows how each payment was made.
 */
export async function completeTask(db: Db, actor: Actor, taskId: string, input: CompleteTaskBody, options: TaskActionOptions): Promise<Task> {
  const reference = input.reference ? input.reference : null;
  return resolveWithRefunds(
    db,
    actor,
    taskId,
    'completed',
    (_task, lots) => {
      const available = totalCents(lots);
      if (input.amountCents > available) {
        throw new AppError(
          'refund_exceeds_remaining',
          `The refund (${formatCents(input.amountCents)}) is more than the patient's unapplied funds (${formatCents(available)}).`,
          { unappliedCents: available },
        );
      }
      const parts = takeOldestFirst(lots, input.amountCents).map(({ lot, amountCents }) => {
        const viaProcessor = (input.method === 'card' || input.method === 'original') && (lot.method === 'card' || lot.method === 'online') && lot.processorReference !== null;
        const recordAs: RefundRequest['recordAs'] =
          input.method === 'cash' ? 'cash' : input.method === 'check' ? 'check' : input.method === 'card' && !viaProcessor ? 'recorded' : undefined;
        const request: RefundRequest = { amountCents, reason: 'insurance_adjustment', notes: reference ?? `Refund-owed task, refunded ${input.refundDate}`, recordAs };
        return { paymentId: lot.paymentId, request, viaProcessor };
      });
      // Refunds the processor may decline go first: a decline then leaves everything as it was.
      return [...parts.filter((p) => p.viaProcessor), ...parts.filter((p) => !p.viaProcessor)];
    },
    (refunds) => ({
      kind: 'refund',
      refundDate: input.refundDate,
      amountCents: input.amountCents,
      method: input.method,
      reference,
      refundIds: refunds.map((r) => r.id),
    }),
    options,
  );
}

/**
 * Dismisses a refund-owed task without a refund: the money stays the
 * patient's, as credit (source task_dismissal) that pays future visits. What
 * the task is for (never more than is still unapplied) moves from unapplied
 * funds to credit, oldest payment first.
 */
export async function dismissTask(db: Db, actor: Actor, taskId: string, options: TaskActionOptions): Promise<Task> {
  return resolveWithRefunds(
    db,
    actor,
    taskId,
    'dismissed',
    (task, lots) =>
      takeOldestFirst(lots, Math.min(task.amountCents, totalCents(lots))).map(({ lot, amountCents }) => ({
        paymentId: lot.paymentId,
        request: { amountCents, reason: 'other', asCredit: true, creditSource: 'task_dismissal', notes: 'Refund-owed task dismissed' } satisfies RefundRequest,
      })),
    (refunds) => ({
      kind: 'credit',
      amountCents: refunds.reduce((sum, r) => sum + r.amountCents, 0),
      creditIds: [...new Set(refunds.map((r) => r.creditId).filter((id): id is string => id !== null))],
    }),
    options,
  );
}
