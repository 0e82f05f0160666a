import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';

describe('SQLite statements', () => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are compiled once per SQL text and stay right after the schema changes', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-stmt-'));
    dirs.push(dataDir);
    const prepare = vi.spyOn(SQLite.prototype, 'prepare');
    const handle = connectDatabase({ dataDir });
    try {
      await sql`create table things (id integer primary key, name text)`.execute(handle.db);
      const read = () => sql<Record<string, unknown>>`select * from things order by id`.execute(handle.db);
      await sql`insert into things (name) values (${'a'})`.execute(handle.db);
      await sql`insert into things (name) values (${'b'})`.execute(handle.db);
      expect((await read()).rows).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
      const before = prepare.mock.calls.length;
      for (let i = 0; i < 5; i++) await read();
      expect(prepare.mock.calls.length).toBe(before);
      // A cached "select *" sees a column added since it was compiled.
      await sql`alter table things add column size integer`.execute(handle.db);
      expect((await read()).rows).toEqual([{ id: 1, name: 'a', size: null }, { id: 2, name: 'b', size: null }]);
    } finally {
      await handle.close();
    }
  });

  it('keep their statement journal in memory, and a failing statement inside a transaction is still undone alone', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-stmt-'));
    dirs.push(dataDir);
    const handle = connectDatabase({ dataDir });
    try {
      // 2 = MEMORY: a statement journal past 64 KB no longer goes to a temporary file (ADR 0044).
      expect((await sql<{ tempStore: number }>`pragma temp_store`.execute(handle.db)).rows).toEqual([{ tempStore: 2 }]);
      await sql`create table things (id integer primary key, name text unique, padding text)`.execute(handle.db);
      const rows = await handle.db.transaction().execute(async (trx) => {
        await sql`insert into things (name, padding) values ('kept', '')`.execute(trx);
        // ~500 KB of new rows, more than the 64 KB a statement journal keeps before it spills; the last one
        // collides with 'kept', so the statement fails after writing all the others.
        const names = [...Array.from({ length: 2000 }, (_, i) => `n${i}`), 'kept'];
        const values = sql.join(names.map((name) => sql`(${name}, ${'x'.repeat(250)})`));
        await expect(sql`insert into things (name, padding) values ${values}`.execute(trx)).rejects.toThrow(/UNIQUE/);
        return (await sql<{ name: string }>`select name from things`.execute(trx)).rows;
      });
      expect(rows).toEqual([{ name: 'kept' }]);
      expect((await sql<{ n: number }>`select count(*) as n from things`.execute(handle.db)).rows).toEqual([{ n: 1 }]);
    } finally {
      await handle.close();
    }
  });
});
