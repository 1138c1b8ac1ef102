/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// `flowloom serve` serves the built app itself; the dev server (`npm run dev`) forwards the API to it
// so the browser keeps one origin (the session cookie, CSRF header and websocket origin check hold).
const api = process.env.FLOWLOOM_API_URL ?? 'http://127.0.0.1:8000'
const proxy = {
  '/graphql': { target: api, ws: true },
  '/auth': { target: api },
}

export default defineConfig({
  plugins: [react()],
  // rjsf's Ajv validator needs eval (refused by the CSP); its one import in @rjsf/core gets ours
  resolve: { alias: { '@rjsf/validator-ajv8': fileURLToPath(new URL('./src/components/schemaForm/ajvStandIn.ts', import.meta.url)) } },
  build: {
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // antd alone passes Vite's 500 kB warning; its building blocks load in parallel beside it
            {
              name: 'antd',
              test: /node_modules[\\/]antd[\\/](?!es[\\/](badge|collapse|descriptions|drawer|list|date-picker|time-picker|calendar|slider|upload|progress|statistic|segmented|breadcrumb|auto-complete|input-number)[\\/])/,
            },
            {
              name: 'antd-parts',
              test: /node_modules[\\/](@ant-design|@rc-component(?![\\/](picker|slider|collapse|drawer|upload|progress|segmented|input-number)[\\/])|rc-[^\\/]+)[\\/]/,
              priority: 5,
            },
            // (the parts only lazy pages use — the editor's forms: date picker, slider, collapse,
            // drawer, descriptions, list, badge, number input; the Knowledge pages: upload, progress,
            // statistic, segmented, breadcrumb, auto-complete — are left out of both groups, so they
            // stay out of the first load)
            // graphql-js is not grouped by name: GraphiQL uses far more of it than Apollo does, and a
            // named group would pull all of that into the first load; the bundler places it by use
            { name: 'apollo', test: /node_modules[\\/](@apollo|graphql-ws|rxjs|@wry|optimism)[\\/]/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: { proxy },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // antd's table and modal render slowly in jsdom on a busy 2-core machine; a cold run needs headroom
    testTimeout: 20_000,
    // one jsdom and one module graph per worker, not per file: every file imported antd, React Flow and
    // rjsf afresh, half of Vitest's time (186 s → 87 s for 31 files on 2 cores). Files still clean up
    // after each test (src/test/setup.ts) and restore any global they stub.
    isolate: false,
    // through Vite, so the alias above reaches @rjsf/core's import of the Ajv validator
    server: { deps: { inline: [/@rjsf[\\/](core|antd)[\\/]/] } },
  },
})
