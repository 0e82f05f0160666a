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
});
