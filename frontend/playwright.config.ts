import { defineConfig } from '@playwright/test'
import { APP_ORIGIN } from './e2e/ports.ts'

// Debian's Chromium, never a downloaded browser (`npx playwright install` is not used here).
export default defineConfig({
  testDir: 'e2e',
  // one server for the run: the workflows spec creates the first owner the links spec signs in as
  projects: [
    { name: 'first-owner', testMatch: 'workflows.spec.ts' },
    { name: 'links', testMatch: 'links.spec.ts', dependencies: ['first-owner'] },
    { name: 'runs', testMatch: 'runs.spec.ts', dependencies: ['first-owner'] },
    { name: 'graphiql', testMatch: 'graphiql.spec.ts', dependencies: ['first-owner'] },
    { name: 'settings', testMatch: 'settings.spec.ts', dependencies: ['first-owner'] },
    { name: 'runview', testMatch: 'runview.spec.ts', dependencies: ['first-owner'] },
    { name: 'runview-restart', testMatch: 'runview-restart.spec.ts' },
    { name: 'editor', testMatch: 'editor.spec.ts', dependencies: ['first-owner'] },
    { name: 'knowledge', testMatch: 'knowledge.spec.ts', dependencies: ['first-owner'] },
    { name: 'dashboard', testMatch: 'dashboard.spec.ts', dependencies: ['first-owner'] },
    { name: 'triggers', testMatch: 'triggers.spec.ts', dependencies: ['first-owner'] },
  ],
  outputDir: 'test-results',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: APP_ORIGIN,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
