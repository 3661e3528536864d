// Builds the renderer into dist-renderer/, which the engine serves at http://127.0.0.1:PORT/.
// `npx vite build` (from the project folder)
// Dev server against a running engine: TLSLAB_ENGINE=http://127.0.0.1:PORT npx vite
// then open http://localhost:5173/#token=TOKEN.
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('./src-renderer', import.meta.url));
const engine = process.env.TLSLAB_ENGINE;

// Vite's dev server injects component styles as <style> elements; the built app links CSS files
// and needs no inline styles, so only the dev server's CSP is relaxed.
function relaxStyleCspForDevServer(): Plugin {
  return {
    name: 'tlslab-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [svelte({ configFile: false }), relaxStyleCspForDevServer()],
  build: {
    outDir: fileURLToPath(new URL('./dist-renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Rolldown's note that the Svelte plugin took most of the build time is for plugin authors;
    // `npm start` printed it as a paragraph of warnings on every rebuild.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] },
    // The engine refuses a foreign Host or Origin, so the proxy presents the engine's own.
    proxy: engine
      ? {
          '/api': {
            target: engine,
            ws: true,
            changeOrigin: true,
            configure: (proxy) => proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('origin', engine)),
          },
        }
      : undefined,
  },
});
