// Starts a real `flowloom serve` on a fresh FLOWLOOM_HOME for the run, serving the built app, reads the one-time setup
// link it prints, and stops it (and removes the home) afterwards.
import { createServer } from 'node:net'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_PORT } from './ports.ts'
import { freshHome, removeHome, startServer, stopServer, type OwnServer } from './server.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
/** Where the tests find the setup link (written here, read by the specs). */
export const STATE_FILE = path.join(here, '.state', 'server.json')

/** Fails at once, naming the port, when something (a stray server of an earlier run) holds it. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', () =>
      reject(new Error(`port ${port} is in use: stop what holds it, or set FLOWLOOM_E2E_PORT to a free port`)),
    )
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
  })
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(path.resolve(here, '..', 'dist', 'index.html'))) {
    throw new Error('dist/ is missing: run `npm run build` before `npm run e2e`')
  }
  await assertPortFree(API_PORT)
  const home = freshHome()
  let server: OwnServer
  try {
    server = await startServer(API_PORT, home)
    if (!server.setupPath) throw new Error(`flowloom serve printed no setup link:\n${server.log}`)
  } catch (error) {
    // no teardown runs when the setup fails: stop the server and remove its home here
    removeHome(home)
    throw error
  }
  mkdirSync(path.dirname(STATE_FILE), { recursive: true })
  writeFileSync(STATE_FILE, JSON.stringify({ setupPath: server.setupPath }))

  return async () => {
    await stopServer(server)
    removeHome(home)
    rmSync(STATE_FILE, { force: true })
    if (process.env.FLOWLOOM_E2E_LOG) writeFileSync(process.env.FLOWLOOM_E2E_LOG, server.log)
  }
}
