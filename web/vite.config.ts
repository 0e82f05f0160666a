import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The app imports the server's shared contracts and domain rules from ../src.
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// The API server the dev server forwards to; override to point at another instance.
const apiTarget = process.env.API_TARGET ?? 'http://127.0.0.1:3000';

/**
 * Lists a lazy page's chunk and everything it imports as modulepreload links in index.html, so the browser
 * fetches and compiles them beside the entry instead of after the entry has run and the router asked (ADR 0039).
 * For the payments list only: it is the page after sign-in (`/` goes to it), and other pages stay lazy.
 */
function preloadPage(pageModule: string): Plugin {
  return {
    name: 'preload-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, { bundle, filename }) {
        if (!bundle || !filename.endsWith('index.html')) return;
        const page = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith(pageModule));
        if (!page || page.type !== 'chunk') throw new Error(`preload-page: no chunk for ${pageModule}`);
        const files = new Set<string>();
        const visit = (fileName: string) => {
          const chunk = bundle[fileName];
          if (files.has(fileName) || chunk?.type !== 'chunk') return;
          files.add(fileName);
          chunk.imports.forEach(visit);
        };
        visit(page.fileName);
        return [...files]
          .filter((file) => !html.includes(`/${file}"`))
          .map((file): HtmlTagDescriptor => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' }));
      },
    },
  };
}

/**
 * Runs `src/first-requests.ts` (its own small entry) before the app's entry: module scripts run in document order,
 * so the first page's requests leave as soon as this small file is in, not once the app's code is (ADR 0039).
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
        if (!chunk) throw new Error('first-requests-script: no first-requests chunk');
        return [{ tag: 'script', attrs: { type: 'module', crossorigin: true, src: `/${chunk.fileName}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}

// `--mode portal` builds the patient pages (portal.html, for /pay and payment links) on their own, after the staff app:
// a separate build shares no chunks with the staff app, so none of its components ride along.
export default defineConfig(({ mode }) => ({
  root,
  base: '/',
  plugins: [react(), preloadPage('/web/src/pages/payments-page.tsx'), firstRequestsScript()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: mode !== 'portal',
    rollupOptions: {
      input:
        mode === 'portal'
          ? fileURLToPath(new URL('./portal.html', import.meta.url))
          : { index: fileURLToPath(new URL('./index.html', import.meta.url)), 'first-requests': fileURLToPath(new URL('./src/first-requests.ts', import.meta.url)) },
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
