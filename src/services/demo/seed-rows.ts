import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Insertable } from 'kysely';
import type { Database } from '../../db/database.ts';
import { newId, nowIso } from '../../db/ids.ts';
import { charge, paymentReceived, type Posting } from '../../domain/ledger/postings.ts';
import { paymentSortNameOf, searchNameOf } from '../patients/patients.ts';
import { SeededRandom, daysBefore, firstNames, lastNames, payers, physicians, procedures } from './seeded-random.ts';

/**
 * The bulk seed's rows, made without a database: `seedChunks` yields them chunk by chunk, in the order and with
 * the random draws the seed has always made, so a seed is the same data wherever it is generated. It runs on a
 * worker thread (seed-rows-worker.ts) while the seed's connection inserts the chunk before (ADR 0045).
 */

export const CHUNK = 2_000;
const statuses = ['paid', 'paid', 'paid', 'paid', 'pending', 'draft', 'processing', 'failed', 'cancelled', 'voided'] as const;
const paymentTypes = ['office_visit', 'treatment_prepayment', 'private_pay'] as const;
const paymentMethods = ['cash', 'check', 'card', 'online'] as const;

/**
 * The columns the seed fills, in the order each row's values are given (columns it leaves NULL are not
 * listed). Rows go into one flat array per table and each INSERT's SQL is written once per table and row
 * count: no object per row and no query built and compiled per chunk (together a quarter of the seed's
 * profile when rows went through Kysely's insertInto).
 */
export const bulkColumns = {
  patients: ['id', 'practiceId', 'accountId', 'firstName', 'lastName', 'searchName', 'dateOfBirth', 'createdAt'],
  treatments: ['id', 'practiceId', 'patientId', 'locationId', 'serviceDate', 'physician', 'chargeCents', 'patientResponsibilityCents', 'insuranceStatus', 'createdAt'],
  treatmentLines: ['id', 'practiceId', 'treatmentId', 'lineNumber', 'cpt', 'chargeCents', 'units'],
  coverages: ['id', 'practiceId', 'patientId', 'coverageOrder', 'payerName', 'payerId', 'memberId', 'createdAt'],
  claims: ['id', 'practiceId', 'treatmentId', 'patientId', 'coverageOrder', 'payerName', 'payerId', 'memberId', 'controlNumber', 'status', 'billedCents', 'paidCents', 'contractualCents', 'patientResponsibilityCents', 'createdAt', 'updatedAt'],
  payments: ['id', 'practiceId', 'number', 'patientId', 'patientName', 'locationId', 'treatmentId', 'amountCents', 'refundedCents', 'appliedCents', 'status', 'type', 'method', 'dueDate', 'paidDate', 'createdAt', 'createdBy', 'updatedAt'],
  journalEntries: ['id', 'practiceId', 'kind', 'paymentId', 'memo', 'createdAt', 'createdBy', 'sourceType', 'sourceId'],
  journalLines: ['id', 'entryId', 'practiceId', 'account', 'patientId', 'paymentId', 'treatmentId', 'amountCents'],
} as const satisfies { [T in keyof Database]?: readonly (keyof Database[T] & string)[] };

export type BulkTable = keyof typeof bulkColumns;
export const columnsOf = (table: BulkTable): readonly string[] => bulkColumns[table];
type Values<Columns extends readonly string[], Row> = { -readonly [K in keyof Columns]: Row[Columns[K] & keyof Row] };

/** One table's new rows, value after value in bulkColumns order. */
export class Rows<T extends BulkTable> {
  constructor(
    readonly table: T,
    readonly values: unknown[] = [],
  ) {}
  add(row: Values<(typeof bulkColumns)[T], Insertable<Database[T]>>): void {
    for (const value of row as readonly unknown[]) this.values.push(value);
  }
  get count(): number {
    return this.values.length / columnsOf(this.table).length;
  }
}

/** A table's rows as the seed writes them. */
export interface TableRows {
  readonly table: BulkTable;
  readonly values: unknown[];
  readonly count: number;
}

/** What the rows are made from: read from the database by the seed before it starts. */
export interface SeedPlan {
  practiceId: string;
  actor: { id: string; name: string };
  /** The practice's calendar date: every seeded date counts back from it. */
  today: string;
  locationIds: string[];
  patients: number;
  payments: number;
  /** Of the patients added, this many (the first) are insured, their visits on claims PL0000001 up. */
  insured: number;
  seed: number;
  /** Payments go to the patients added; with none added, to these (the practice's own, at most 10,000). */
  existingPatients: Array<{ id: string; firstName: string; lastName: string }>;
}

/**
 * One chunk's rows, each table's values in bulkColumns order. A payments chunk's `number` column holds each
 * payment's place in the chunk (0 up): the seed adds the first number it reserves for the chunk.
 */
export interface SeedChunk {
  kind: 'patients' | 'payments';
  rows: TableRows[];
  /** Patients and payments made so far, this chunk's included. */
  done: number;
}

/** 'YYYY-MM-DD' daysAgo days before today, each computed once: the seed asks for the same few hundred dates a million times. */
function daysFrom(today: string): (daysAgo: number) => string {
  const days = new Map<number, string>();
  return (daysAgo) => {
    let day = days.get(daysAgo);
    if (day === undefined) days.set(daysAgo, (day = daysBefore(today, daysAgo)));
    return day;
  };
}

export function* seedChunks(plan: SeedPlan): Generator<SeedChunk> {
  const { practiceId, actor, insured } = plan;
  const random = new SeededRandom(plan.seed);
  const daysAgo = daysFrom(plan.today);
  const locations = plan.locationIds;
  const patients: Array<{ id: string; sortName: string; treatmentId: string | null; locationId: string }> = [];
  const runId = newId().slice(-6).toUpperCase();
  for (let start = 0; start < plan.patients; start += CHUNK) {
    const count = Math.min(CHUNK, plan.patients - start);
    // One time for the chunk's rows: they are written in one statement per table anyway.
    const createdAt = nowIso();
    const patientRows = new Rows('patients');
    const treatmentRows = new Rows('treatments');
    const lineRows = new Rows('treatmentLines');
    const chargeEntries = new Rows('journalEntries');
    const chargeLines = new Rows('journalLines');
    const coverageRows = new Rows('coverages');
    const claimRows = new Rows('claims');
    for (let i = 0; i < count; i++) {
      const firstName = random.pick(firstNames);
      const lastName = random.pick(lastNames);
      const id = newId();
      const accountId = `S${runId}${String(start + i).padStart(7, '0')}`;
      patientRows.add([id, practiceId, accountId, firstName, lastName, searchNameOf(firstName, lastName), daysAgo(random.int(700, 30000)), createdAt]);
      // Bulk patients are self-pay — each visit's charge is theirs to pay — unless insured (plan.insured): then
      // the visit is billed to the primary payer. Either way charged in the journal by the one posting rule.
      const locationId = random.pick(locations);
      const treatmentId = newId();
      const procedure = random.pick(procedures);
      const selfPay = start + i >= insured;
      if (!selfPay) {
        const payer = random.pick(payers);
        const memberId = `M${runId}${String(start + i).padStart(7, '0')}`;
        coverageRows.add([newId(), practiceId, id, 1, payer.payerName, payer.payerId, memberId, createdAt]);
        claimRows.add([newId(), practiceId, treatmentId, id, 1, payer.payerName, payer.payerId, memberId, claimNumber(start + i), 'submitted', procedure.chargeCents, 0, 0, 0, createdAt, createdAt]);
      }
      treatmentRows.add([treatmentId, practiceId, id, locationId, daysAgo(random.int(1, 360)), random.pick(physicians), procedure.chargeCents, selfPay ? procedure.chargeCents : 0, selfPay ? 'self_pay' : 'awaiting', createdAt]);
      const posting = charge({ treatmentId, patientId: id, chargeCents: procedure.chargeCents, selfPay });
      addPosting(chargeEntries, chargeLines, practiceId, posting, createdAt, actor.id);
      lineRows.add([newId(), practiceId, treatmentId, 1, procedure.cpt, procedure.chargeCents, 1]);
      patients.push({ id, sortName: paymentSortNameOf(firstName, lastName), treatmentId, locationId });
    }
    yield { kind: 'patients', rows: [patientRows, treatmentRows, lineRows, chargeEntries, chargeLines, coverageRows, claimRows], done: start + count };
  }
  if (patients.length === 0) {
    for (const p of plan.existingPatients) patients.push({ id: p.id, sortName: paymentSortNameOf(p.firstName, p.lastName), treatmentId: null, locationId: random.pick(locations) });
  }

  for (let start = 0; start < plan.payments; start += CHUNK) {
    const count = Math.min(CHUNK, plan.payments - start);
    const paymentRows = new Rows('payments');
    const entryRows = new Rows('journalEntries');
    const lineRows = new Rows('journalLines');
    for (let i = 0; i < count; i++) {
      const patient = random.pick(patients);
      const status = random.pick(statuses);
      const ago = random.int(0, 364);
      const day = daysAgo(ago);
      const createdAt = `${day}T${String(random.int(10, 23)).padStart(2, '0')}:${String(random.int(10, 59))}:00.000Z`;
      const amountCents = random.int(5, 400) * 500 + random.int(0, 99);
      const id = newId();
      const type = random.pick(paymentTypes);
      const method = random.pick(paymentMethods);
      // Due 30 days after the day it was made, for half of them.
      const dueDate = random.chance(0.5) ? daysAgo(ago - 30) : null;
      paymentRows.add([id, practiceId, i, patient.id, patient.sortName, patient.locationId, patient.treatmentId, amountCents, 0, 0, status, type, method, dueDate, status === 'paid' ? day : null, createdAt, actor.name, createdAt]);
      if (status === 'paid') {
        // Bulk rows, but the same posting rule as every other payment received.
        addPosting(entryRows, lineRows, practiceId, paymentReceived({ paymentId: id, patientId: patient.id, treatmentId: patient.treatmentId, amountCents }), createdAt, actor.id);
      }
    }
    yield { kind: 'payments', rows: [paymentRows, entryRows, lineRows], done: plan.patients + start + count };
  }
}

/** A posting's journal entry and its lines, as rows to write. */
function addPosting(entries: Rows<'journalEntries'>, lines: Rows<'journalLines'>, practiceId: string, posting: Posting, createdAt: string, createdBy: string): void {
  const entryId = newId();
  entries.add([entryId, practiceId, posting.kind, posting.paymentId ?? null, 'bulk seed', createdAt, createdBy, posting.source.type, posting.source.id]);
  for (const line of posting.lines) lines.add([newId(), entryId, practiceId, line.account, line.patientId ?? null, line.paymentId ?? null, line.treatmentId ?? null, line.amountCents]);
}

/** The n-th seeded claim's control number (n from 0): PL0000001 up, as the generated 835 numbers its claims. */
export function claimNumber(n: number): string {
  return `PL${String(n + 1).padStart(7, '0')}`;
}

/** How many chunks the generator may have made and sent before the seed takes one. */
export const AHEAD = 2;

/** A chunk as the worker sends it: each table's values as JSON (parsed faster than a structured clone). */
export interface WorkerChunk {
  kind: SeedChunk['kind'];
  done: number;
  tables: Array<[BulkTable, string]>;
}

/**
 * seedChunks(plan) run on a worker thread: the next chunks are made on the second core while the caller writes
 * this one.
 */
export async function* seedChunksOnWorker(plan: SeedPlan): AsyncGenerator<SeedChunk> {
  const worker = new Worker(new URL('./seed-rows-worker.mjs', import.meta.url), { workerData: plan });
  try {
    for await (const [message] of on(worker, 'message') as AsyncIterableIterator<[WorkerChunk | 'end']>) {
      if (message === 'end') return;
      yield { kind: message.kind, done: message.done, rows: message.tables.map(([table, json]) => new Rows(table, JSON.parse(json) as unknown[])) };
      worker.postMessage('more');
    }
  } finally {
    await worker.terminate();
  }
}
