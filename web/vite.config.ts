/**
 * Builds the dashboard into web/dist (`npm run build` runs `vite build web`). The server serves
 * web/dist statically: index.html at / and at client-side routes, hashed files under /assets/.
 */

import { defineConfig } from 'vite';

export default defineConfig({
  // JSX compiles to Preact's automatic runtime; no React, no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Small enough for one chunk; no inline scripts (the pages' CSP allows scripts from 'self' only).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    // `npx vite web` during development: the API of a local sked server.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
