import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The SPA is served by the API server (same origin): `npm run dev` proxies the API to a running
// `duban start` on port 3000. public/ (verify.html and the esbuild-bundled verifier.js) is copied
// into dist/ as is.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    // Two pages: the signed-in app (index.html) and the public portal (portal.html, /portal), which
    // loads none of the app's code (no antd).
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        portal: fileURLToPath(new URL('./portal.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
