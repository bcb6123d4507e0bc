import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Builds the web UI (src/ui) into dist/ui, which `tracehound start` serves at `/`. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    // One bundle for an app that always needs all of itself; no need for split-chunk advice.
    chunkSizeWarningLimit: 1024,
  },
});
