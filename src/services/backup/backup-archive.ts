import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';

/**
 * `ledger backup` / `ledger restore` for the embedded database: one
 * .tar.gz holding a consistent copy of ledger.db, the documents folder and
 * a manifest. Copying ledger.db with `cp` while the server writes loses
 * acknowledged commits still in the WAL; VACUUM INTO copies one read
 * snapshot and never blocks the writer.
 */

export const BACKUP_FORMAT = 'patient-ledger-backup';
export const BACKUP_VERSION = 1;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  database: 'sqlite';
  /** Rows in the copy (a restore checks them again). */
  counts: { practices: number; payments: number; documents: number; journalEntries: number };
  databaseSha256: string;
}

export class BackupError extends Error {}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function tar(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (error) => reject(new BackupError(`could not run tar: ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new BackupError(`tar failed (${code}): ${stderr.trim()}`))));
  });
}

interface DocumentRow {
  id: string;
  practice_id: string;
  sha256: string;
}

/**
 * Every document row of the copy has its file, with the bytes it was
 * recorded with. Files are written before their row commits, so copying the
 * folder after the database snapshot finds them all.
 */
function checkDocuments(database: SQLite.Database, documentsDir: string): number {
  const rows = database.prepare('select id, practice_id, sha256 from payment_documents').all() as DocumentRow[];
  for (const row of rows) {
    const file = path.join(documentsDir, row.practice_id, row.id);
    if (!fs.existsSync(file)) throw new BackupError(`document ${row.id} has no file in the backup`);
    if (sha256File(file) !== row.sha256) throw new BackupError(`document ${row.id} does not match its recorded checksum`);
  }
  return rows.length;
}

function count(database: SQLite.Database, table: string): number {
  return (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

function copyDocuments(from: string, to: string, rows: DocumentRow[]): void {
  // Only the files the snapshot records: a file whose row committed after the snapshot is not part of it.
  for (const row of rows) {
    const source = path.join(from, row.practice_id, row.id);
    const target = path.join(to, row.practice_id, row.id);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(source)) fs.copyFileSync(source, target);
  }
}

export async function createBackup(options: { dataDir: string; file: string }): Promise<BackupManifest> {
  const source = path.join(options.dataDir, 'ledger.db');
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source}`);
  const out = path.resolve(options.file);
  if (fs.existsSync(out)) throw new BackupError(`${out} already exists; choose a new file name`);
  const staging = fs.mkdtempSync(path.join(path.dirname(out), '.ledger-backup-'));
  try {
    const copy = path.join(staging, 'ledger.db');
    const live = new SQLite(source, { fileMustExist: true, timeout: 30_000 });
    try {
      // One read transaction: a consistent snapshot including what is still in the WAL.
      live.prepare('vacuum into ?').run(copy);
    } finally {
      live.close();
    }
    const snapshot = new SQLite(copy, { fileMustExist: true });
    let manifest: BackupManifest;
    try {
      const rows = snapshot.prepare('select id, practice_id, sha256 from payment_documents').all() as DocumentRow[];
      copyDocuments(path.join(options.dataDir, 'documents'), path.join(staging, 'documents'), rows);
      fs.mkdirSync(path.join(staging, 'documents'), { recursive: true });
      manifest = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        database: 'sqlite',
        counts: {
          practices: count(snapshot, 'practices'),
          payments: count(snapshot, 'payments'),
          documents: checkDocuments(snapshot, path.join(staging, 'documents')),
          journalEntries: count(snapshot, 'journal_entries'),
        },
        databaseSha256: '',
      };
    } finally {
      snapshot.close();
    }
    manifest.databaseSha256 = sha256File(copy);
    fs.writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Written beside the target and renamed: a half-written archive never carries the final name.
    const partial = `${out}.partial`;
    await tar(['-czf', partial, '-C', staging, 'manifest.json', 'ledger.db', 'documents']);
    fs.renameSync(partial, out);
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

const dataFiles = ['ledger.db', 'ledger.db-wal', 'ledger.db-shm', 'documents'];

/**
 * Restores a backup into a data folder: an empty or new one, or (with
 * force) one whose database and documents are replaced. Nothing is moved
 * into place until the archive has been checked.
 */
export async function restoreBackup(options: { file: string; dataDir: string; force?: boolean }): Promise<BackupManifest> {
  const file = path.resolve(options.file);
  if (!fs.existsSync(file)) throw new BackupError(`no backup at ${file}`);
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const present = fs.readdirSync(dataDir);
  if (present.length > 0 && !options.force) {
    throw new BackupError(`${dataDir} is not empty; restore into a new folder, or pass --force to replace its database and documents`);
  }
  const staging = fs.mkdtempSync(path.join(dataDir, '.ledger-restore-'));
  try {
    await tar(['-xzf', file, '-C', staging]);
    const manifestFile = path.join(staging, 'manifest.json');
    if (!fs.existsSync(manifestFile)) throw new BackupError('not a Patient Ledger backup (no manifest.json)');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION) {
      throw new BackupError(`unsupported backup format ${manifest.format} ${manifest.version}`);
    }
    const db = path.join(staging, 'ledger.db');
    if (sha256File(db) !== manifest.databaseSha256) throw new BackupError('the database in the backup does not match its checksum');
    const database = new SQLite(db, { fileMustExist: true });
    try {
      const integrity = database.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new BackupError(`the database in the backup is damaged: ${String(integrity)}`);
      checkDocuments(database, path.join(staging, 'documents'));
    } finally {
      database.close();
    }
    for (const name of dataFiles) fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
    fs.renameSync(db, path.join(dataDir, 'ledger.db'));
    fs.renameSync(path.join(staging, 'documents'), path.join(dataDir, 'documents'));
    return manifest;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
