import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The app imports the server's shared contracts and domain rules from ../src.
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// The API server the dev server forwards to; override to point at another instance.
const apiTarget = process.env.API_TARGET ?? 'http://127.0.0.1:3000';

// What first-requests.ts imports (transitively): a chunk of their own, shared with the app, so the script stays tiny.
const firstRequestsModules = ['/web/src/api/client.ts', '/web/src/features/payments/list-params.ts', '/web/src/api/types.ts', '/web/src/features/payments/labels.ts'];
const isFirstRequestsModule = (id: string) => firstRequestsModules.some((m) => id.endsWith(m));
// More than this, and the early requests would wait for a download that is not small (an import added to the list above's modules).
const firstRequestsMaxBytes = 16 * 1024;

/**
 * Runs `src/first-requests.ts` (its own small entry) as an async module script, first in index.html: it runs as soon
 * as it and its small chunk are in, without waiting for the stylesheet or the app's file as a deferred module script
 * would, so the first page's requests leave while the rest still downloads (ADR 0039, 0047). Fails the build if what
 * it loads has grown past firstRequestsMaxBytes.
 */
function firstRequestsScript(): Plugin {
  return {
    name: 'first-requests-script',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle, filename }) {
        if (!bundle || !filename.endsWith('index.html')) return;
        const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId?.endsWith('/web/src/first-requests.ts'));
        if (!chunk || chunk.type !== 'chunk') throw new Error('first-requests-script: no first-requests chunk');
        const loaded = new Set<string>();
        const visit = (fileName: string) => {
          const c = bundle[fileName];
          if (loaded.has(fileName) || c?.type !== 'chunk') return;
          loaded.add(fileName);
          c.imports.forEach(visit);
        };
        visit(chunk.fileName);
        const bytes = [...loaded].reduce((sum, f) => sum + (bundle[f]?.type === 'chunk' ? Buffer.byteLength((bundle[f] as { code: string }).code) : 0), 0);
        if (bytes > firstRequestsMaxBytes) throw new Error(`first-requests-script: it loads ${[...loaded].join(', ')} (${bytes} bytes); see firstRequestsModules`);
        return [{ tag: 'script', attrs: { type: 'module', async: true, crossorigin: true, src: `/${chunk.fileName}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// `--mode portal` builds the patient pages (portal.html, for /pay and payment links) on their own, after the staff app:
// a separate build shares no chunks with the staff app, so none of its components ride along.
export default defineConfig(({ mode }) => ({
  root,
  base: '/',
  plugins: [react(), firstRequestsScript()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: mode !== 'portal',
    rollupOptions: {
      input:
        mode === 'portal'
          ? fileURLToPath(new URL('./portal.html', import.meta.url))
          : { index: fileURLToPath(new URL('./index.html', import.meta.url)), 'first-requests': fileURLToPath(new URL('./src/first-requests.ts', import.meta.url)) },
      output: mode === 'portal' ? {} : {
        codeSplitting: {
          // Everything the entry needs at once (the shell and the payments list, ADR 0047) in one file, rather than the
          // ~20 small chunks it shares with lazy pages: the browser asks for one file, not a wave of them. The first
          // requests' script and what it imports stay apart, small (checked by firstRequestsScript).
          groups: [
            { name: 'list-params', priority: 2, test: isFirstRequestsModule },
            { name: 'app', priority: 1, tags: ['$initial'], test: (id: string) => !id.endsWith('/web/src/first-requests.ts') },
          ],
        },
      },
    },
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    fs: { allow: [repoRoot] },
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/docs': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/docs': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
}));
