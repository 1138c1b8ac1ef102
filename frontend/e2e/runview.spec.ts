// The run view against the real server: a template → human → template run seen WAITING, answered from
// the view's node panel, its nodes turning SUCCEEDED live, a node's output opened, and a rerun from a
// node with an edited input landing on the new run.
import { expect, test, type Page } from '@playwright/test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { consoleErrors, graphql, SHOTS as shots, signIn } from './api.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const DEFINITION: unknown = JSON.parse(readFileSync(path.join(here, 'fixtures', 'runview.json'), 'utf8'))

/** The graph node with id `id` (React Flow's `data-id`): its text holds the status word. */
function graphNode(page: Page, id: string) {
  return page.locator(`.react-flow__node[data-id="${id}"]`)
}

test('the run view follows a run live, answers its human task, and reruns from a node', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)
  const created = (await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename ... on Workflow { id } } }',
    { input: { name: 'Greeting approval', definition: DEFINITION } },
  )) as { createWorkflow: { __typename: string; id?: string } }
  expect(created.createWorkflow.__typename).toBe('Workflow')
  const started = (await graphql(
    page.request,
    'mutation ($id: ID!) { startRun(workflowId: $id) { __typename ... on Run { id } } }',
    { id: created.createWorkflow.id },
  )) as { startRun: { __typename: string; id?: string } }
  expect(started.startRun.__typename).toBe('Run')
  const runId = started.startRun.id ?? ''

  // from the Runs page, the run's row links to its view
  await page.goto('/w/default/runs')
  await page.getByRole('link', { name: /Run of Greeting approval/ }).click()
  await expect(page).toHaveURL(new RegExp(`/w/default/runs/${runId}$`))
  await expect(page.getByRole('heading', { name: 'Greeting approval' })).toBeVisible()
  await expect(graphNode(page, 'greet')).toContainText('SUCCEEDED')
  await expect(graphNode(page, 'ask')).toContainText('WAITING')
  await expect(graphNode(page, 'reply')).toContainText('PENDING')
  await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText('Live')
  await page.screenshot({ path: path.join(shots, '40-runview-waiting.png') })

  // answer the human node from its panel
  await graphNode(page, 'ask').click()
  const answer = page.getByRole('region', { name: 'Answer' })
  await expect(answer).toContainText('Approve the greeting?')
  await answer.getByRole('checkbox', { name: 'ok' }).check()
  await page.screenshot({ path: path.join(shots, '41-runview-answer.png') })
  await answer.getByRole('button', { name: 'Submit answer' }).click()

  // the rest of the run arrives live
  await expect(graphNode(page, 'ask')).toContainText('SUCCEEDED')
  await expect(graphNode(page, 'reply')).toContainText('SUCCEEDED')
  await expect(page.getByRole('status', { name: 'Live updates' })).toContainText('Run over')
  await expect(page.locator('.run-view').getByText('SUCCEEDED').first()).toBeVisible()

  // a node chosen with the keyboard, then a node's output, and the timeline
  await graphNode(page, 'greet').focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('region', { name: 'Node Greeting' })).toBeVisible()
  await graphNode(page, 'reply').click()
  const panel = page.getByRole('region', { name: 'Node Reply' })
  await expect(panel.getByRole('group', { name: 'Output' })).toContainText('Approved: True')
  await expect(panel.getByRole('group', { name: 'Input' })).toContainText('ok: true')
  await page.screenshot({ path: path.join(shots, '42-runview-output.png') })
  await page.getByRole('tab', { name: 'Timeline' }).click()
  const timeline = page.getByRole('list', { name: 'Timeline' })
  await expect(timeline.getByRole('button')).toHaveCount(3)
  await page.screenshot({ path: path.join(shots, '43-runview-timeline.png') })
  await timeline.getByRole('button', { name: /^Approval, iteration 0, SUCCEEDED/ }).click()
  await expect(page.getByRole('region', { name: 'Node Approval' })).toBeVisible()

  // rerun from the reply node with an edited input: the view moves to the new run
  await graphNode(page, 'reply').click()
  await page.getByRole('button', { name: 'Rerun from this node' }).click()
  const dialog = page.getByRole('dialog', { name: 'Rerun from “Reply”' })
  const input = dialog.getByRole('textbox', { name: 'Node input (JSON)' })
  await expect(input).toHaveValue(/"ok": true/)
  await input.fill('{"ok": false}')
  await page.screenshot({ path: path.join(shots, '44-runview-rerun-dialog.png') })
  await dialog.getByRole('button', { name: 'Rerun' }).click()
  await expect(page).not.toHaveURL(new RegExp(`/runs/${runId}$`))
  await expect(page).toHaveURL(/\/w\/default\/runs\/[0-9a-f-]{36}$/)
  await expect(graphNode(page, 'reply')).toContainText('SUCCEEDED')
  await expect(graphNode(page, 'greet')).toContainText('SUCCEEDED')
  await graphNode(page, 'reply').click()
  await expect(page.getByRole('region', { name: 'Node Reply' }).getByRole('group', { name: 'Output' })).toContainText(
    'Approved: False',
  )
  await page.screenshot({ path: path.join(shots, '45-runview-rerun.png') })
  expect(errors).toEqual([])
})
