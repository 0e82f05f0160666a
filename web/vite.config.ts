import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The app imports the server's shared contracts and domain rules from ../src.
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
// The API server the dev server forwards to; override to point at another instance.
const apiTarget = process.env.API_TARGET ?? 'http://127.0.0.1:3000';

// `--mode portal` builds the patient pages (portal.html, for /pay and payment links) on their own, after the staff app:
// a separate build shares no chunks with the staff app, so none of its components ride along.
export default defineConfig(({ mode }) => ({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: mode !== 'portal',
    rollupOptions: {
      input: fileURLToPath(new URL(mode === 'portal' ? './portal.html' : './index.html', import.meta.url)),
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
