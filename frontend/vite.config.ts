import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Dev: the Argus API runs on ARGUS_API (default http://127.0.0.1:8080); the browser talks to
// Vite, which proxies /api (REST + WebSocket). The built app uses the same relative URLs.
const api = process.env.ARGUS_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: true, ws: true },
      '/healthz': { target: api },
    },
  },
  build: {
    outDir: 'dist',
    // No source maps in the production build (they publish the sources).
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
