import { rmSync } from 'node:fs';

/**
 * Global teardown: the run's own temporary folder (its SQLite database, documents, chromium's settings and
 * caches — playwright.config.ts makes one per run) goes when the run ends, pass or fail, so runs leave nothing
 * behind in the system's temp folder.
 */
export default function removeRunFolder(): void {
  const folder = process.env.PL_E2E_TMP;
  if (folder) rmSync(folder, { recursive: true, force: true });
}
