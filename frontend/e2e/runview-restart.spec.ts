// The run view across a server crash: a spec-owned `flowloom serve` (port FLOWLOOM_E2E_PORT + 1, fresh
// home) is SIGKILLed while the view watches a waiting run, started again on the same home and port,
// and the task is answered over the API. The view says "Reconnecting…", then "Live", and catches up:
// the seqs it applied are exactly the server's events, none missing, none twice.
import { expect, test, type Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { graphql, SHOTS as shots } from './api.ts'
import { OWNER } from './owner.ts'
import { API_PORT } from './ports.ts'
import { freshHome, killServer, removeHome, startServer, stopServer, type OwnServer } from './server.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const DEFINITION: unknown = JSON.parse(readFileSync(path.join(here, 'fixtures', 'runview.json'), 'utf8'))
const PORT = API_PORT + 1

test.use({ baseURL: `http://127.0.0.1:${PORT}` })

/** Console errors, except the browser's own complaints about the socket while the server is down. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    const text = message.text()
    if (message.type() !== 'error') return
    if (/WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(text)) return
    errors.push(text)
  })
  return errors
}

function graphNode(page: Page, id: string) {
  return page.locator(`.react-flow__node[data-id="${id}"]`)
}

let home = ''
let server: OwnServer | null = null

test.afterAll(async () => {
  if (server) await stopServer(server)
  if (home) removeHome(home)
})

test('the run view reconnects after a server restart and misses no event', async ({ page }) => {
  test.setTimeout(120_000)
  home = freshHome()
  server = await startServer(PORT, home)
  const token = new URLSearchParams(server.setupPath?.split('?')[1] ?? '').get('token')
  expect(token).toBeTruthy()
  const setup = await page.request.post('/auth/setup', {
    data: { token, email: OWNER.email, password: OWNER.password, displayName: OWNER.name },
  })
  expect(setup.status()).toBe(201)

  const created = (await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename ... on Workflow { id } } }',
    { input: { name: 'Restart', definition: DEFINITION } },
  )) as { createWorkflow: { id?: string } }
  const started = (await graphql(
    page.request,
    'mutation ($id: ID!) { startRun(workflowId: $id) { __typename ... on Run { id } } }',
    { id: created.createWorkflow.id },
  )) as { startRun: { id?: string } }
  const runId = started.startRun.id ?? ''
  expect(runId).not.toBe('')

  const errors = consoleErrors(page)
  await page.goto(`/w/default/runs/${runId}`)
  const live = page.getByRole('status', { name: 'Live updates' })
  await expect(graphNode(page, 'ask')).toContainText('WAITING')
  await expect(live).toHaveText('Live')

  // the crash: the socket drops and the view says so
  await killServer(server)
  server = null
  await expect(live).toHaveText('Reconnecting…')
  await page.screenshot({ path: path.join(shots, '46-runview-reconnecting.png') })

  // the same home and port again: the view comes back by itself, then the answer arrives live
  server = await startServer(PORT, home)
  await expect(live).toHaveText('Live', { timeout: 20_000 })
  const answered = (await graphql(
    page.request,
    'mutation ($runId: ID!) { submitHumanInput(runId: $runId, nodeId: "ask", input: {ok: true}) { __typename } }',
    { runId },
  )) as { submitHumanInput: { __typename: string } }
  expect(answered.submitHumanInput.__typename).toBe('Run')
  await expect(graphNode(page, 'reply')).toContainText('SUCCEEDED', { timeout: 20_000 })
  await expect(graphNode(page, 'ask')).toContainText('SUCCEEDED')
  await expect(live).toContainText('Run over')

  // every persisted event exactly once: the page's log against the server's list
  const stored = (await graphql(page.request, 'query ($id: ID!) { run(id: $id) { events { seq } } }', { id: runId })) as {
    run: { events: { seq: number }[] }
  }
  const expected = stored.run.events.map((event) => event.seq)
  await page.getByRole('tab', { name: 'Events' }).click()
  const log = page.getByRole('list', { name: 'Events applied' })
  await expect(log.getByRole('listitem')).toHaveCount(expected.length)
  const seen = (await log.getByRole('listitem').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq')))))
  expect(seen).toEqual(expected)
  expect(expected).toEqual(Array.from({ length: expected.length }, (_, index) => index + 1))
  await page.screenshot({ path: path.join(shots, '47-runview-caught-up.png') })
  expect(errors).toEqual([])
})
