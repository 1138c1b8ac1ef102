// A run that waits for a person, against the real server: import a workflow with a human node, start
// it over GraphQL as the signed-in browser, see it WAITING on Runs, answer it in the Inbox, and see
// the Runs page turn it SUCCEEDED live (no reload).
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { consoleErrors, graphql, SHOTS as shots, signIn } from './api.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

test('a run waits for a person, who answers it in the Inbox', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)

  await page.getByLabel('Workflow definition file').setInputFiles(path.join(here, 'fixtures', 'approve.json'))
  const dialog = page.getByRole('dialog', { name: 'Import a workflow' })
  await dialog.getByLabel('Name').fill('Approval')
  await dialog.getByRole('button', { name: 'Create' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByRole('row', { name: /Approval/ })).toBeVisible()

  // the Runs page is open before the run starts: the new row arrives through runUpdates
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Runs' }).click()
  await expect(page).toHaveURL(/\/w\/default\/runs$/)
  await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible()
  // loaded (other specs' runs or none), and without this workflow's run, which has not started yet
  await expect(page.getByText('No runs yet.').or(page.getByRole('link', { name: /^Run of / }).first())).toBeVisible()
  await expect(page.getByRole('row', { name: /Approval/ })).toHaveCount(0)

  const listed = (await graphql(page.request, 'query { workflows(first: 50) { edges { node { id name } } } }')) as {
    workflows: { edges: { node: { id: string; name: string } }[] }
  }
  const workflow = listed.workflows.edges.find((edge) => edge.node.name === 'Approval')?.node
  expect(workflow).toBeDefined()
  const started = (await graphql(
    page.request,
    'mutation ($id: ID!) { startRun(workflowId: $id) { __typename ... on Run { id status } } }',
    { id: workflow?.id },
  )) as { startRun: { __typename: string } }
  expect(started.startRun.__typename).toBe('Run')

  const row = page.getByRole('row', { name: /Approval/ })
  await expect(row).toContainText('WAITING')
  await page.screenshot({ path: path.join(shots, '20-run-waiting.png') })

  // the Inbox in a second tab of the same session; the Runs tab stays open and is never reloaded
  const inbox = await page.context().newPage()
  const inboxErrors = consoleErrors(inbox)
  await inbox.goto('/w/default/inbox')
  const task = inbox.getByRole('region', { name: 'Approve?' })
  await expect(task).toBeVisible()
  await task.getByRole('checkbox', { name: 'ok' }).check()
  await inbox.screenshot({ path: path.join(shots, '21-inbox-task.png') })
  await task.getByRole('button', { name: 'Submit answer' }).click()
  await expect(task).toBeHidden()
  await expect(inbox.getByText('No open tasks: nothing waits for a person.')).toBeVisible()
  await inbox.screenshot({ path: path.join(shots, '22-inbox-empty.png') })

  await expect(row).toContainText('SUCCEEDED')
  await expect(row).not.toContainText('WAITING')
  await page.screenshot({ path: path.join(shots, '23-run-succeeded.png') })
  expect([...errors, ...inboxErrors]).toEqual([])
})
