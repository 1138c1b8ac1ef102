// Starts a real `flowloom serve` on a fresh FLOWLOOM_HOME for the run, serving the built app, reads the one-time setup
// link it prints, and stops it (and removes the home) afterwards.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_PORT } from './ports.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..')
/** Where the tests find the setup link (written here, read by the specs). */
export const STATE_FILE = path.join(here, '.state', 'server.json')

function waitForSetupLink(server: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link within 90 s:\n${output()}`)), 90_000)
    const check = () => {
      const match = /https?:\/\/\S+\/setup\?token=\S+/.exec(output())
      if (match && /Application startup complete/.test(output())) {
        clearTimeout(timer)
        resolve(match[0])
      }
    }
    server.stdout?.on('data', check)
    server.stderr?.on('data', check)
    server.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`flowloom serve exited with ${code}:\n${output()}`))
    })
  })
}

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
  const flowloom = process.env.FLOWLOOM_BIN ?? path.join(repo, '.venv', 'bin', 'flowloom')
  const home = mkdtempSync(path.join(tmpdir(), 'flowloom-e2e-'))
  let log = ''
  const server = spawn(flowloom, ['serve', '--host', '127.0.0.1', '--port', String(API_PORT)], {
    cwd: repo,
    env: {
      ...process.env,
      FLOWLOOM_HOME: home,
      // the build under test, served by flowloom serve itself: one origin for the app and the API
      FLOWLOOM_WEB_DIR: path.resolve(here, '..', 'dist'),
      FLOWLOOM_RATE_LIMIT_PER_MINUTE: '0',
      FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  server.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()))
  let printed: string
  try {
    printed = await waitForSetupLink(server, () => log)
  } catch (error) {
    // no teardown runs when the setup fails: stop the server and remove its home here
    server.kill('SIGTERM')
    rmSync(home, { recursive: true, force: true })
    throw error
  }
  // the server prints its own address; the browser opens the same path on the app's origin
  const link = new URL(printed)
  mkdirSync(path.dirname(STATE_FILE), { recursive: true })
  writeFileSync(STATE_FILE, JSON.stringify({ setupPath: link.pathname + link.search }))

  return async () => {
    server.removeAllListeners('exit')
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()))
    server.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))])
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    rmSync(home, { recursive: true, force: true })
    rmSync(STATE_FILE, { force: true })
    if (process.env.FLOWLOOM_E2E_LOG) writeFileSync(process.env.FLOWLOOM_E2E_LOG, log)
  }
}
