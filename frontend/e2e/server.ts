// A real `flowloom serve` serving the built app: the global setup's shared one, and a spec's own that is
// started, killed and started again on the same FLOWLOOM_HOME and port (what a restart does to the app).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..')

/** One server process on a home that outlives it. */
export interface OwnServer {
  readonly origin: string
  readonly home: string
  /** The setup link's path and query (first start only; null once the first owner exists). */
  setupPath: string | null
  readonly process: ChildProcess
  log: string
}

/** A fresh FLOWLOOM_HOME for a spec's server (remove it with `removeHome`). */
export function freshHome(): string {
  return mkdtempSync(path.join(tmpdir(), 'flowloom-e2e-own-'))
}

/** Starts `flowloom serve` on `port` with `home`, serving the built app; resolves once it is up. */
export function startServer(port: number, home: string): Promise<OwnServer> {
  const flowloom = process.env.FLOWLOOM_BIN ?? path.join(repo, '.venv', 'bin', 'flowloom')
  const child = spawn(flowloom, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: repo,
    env: {
      ...process.env,
      FLOWLOOM_HOME: home,
      FLOWLOOM_WEB_DIR: path.resolve(here, '..', 'dist'),
      FLOWLOOM_RATE_LIMIT_PER_MINUTE: '0',
      FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const server: OwnServer = { origin: `http://127.0.0.1:${port}`, home, setupPath: null, process: child, log: '' }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`flowloom serve did not start within 90 s:\n${server.log}`))
    }, 90_000)
    const check = () => {
      if (!/Application startup complete/.test(server.log)) return
      clearTimeout(timer)
      const link = /https?:\/\/\S+\/setup\?token=\S+/.exec(server.log)
      const url = link ? new URL(link[0]) : null
      server.setupPath = url ? url.pathname + url.search : null
      resolve(server)
    }
    const collect = (chunk: Buffer) => {
      server.log += chunk.toString()
      check()
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`flowloom serve exited with ${code}:\n${server.log}`))
    })
  })
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Kills the server at once (SIGKILL: no shutdown, as in a crash); its home stays. */
export async function killServer(server: OwnServer): Promise<void> {
  server.process.removeAllListeners('exit')
  server.process.kill('SIGKILL')
  await exited(server.process)
}

/** Stops the server (SIGTERM, then SIGKILL after 20 s). */
export async function stopServer(server: OwnServer): Promise<void> {
  server.process.removeAllListeners('exit')
  server.process.kill('SIGTERM')
  await Promise.race([exited(server.process), new Promise((resolve) => setTimeout(resolve, 20_000))])
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL')
}

/** Removes a home made by `freshHome`. */
export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true })
}
