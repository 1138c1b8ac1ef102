// The dashboard against the real server: two runs of an offline LLM workflow (the `test` model spends
// tokens), one succeeding and one failing on a missing input, then the Dashboard page's figures:
// runs per hour by status, failure rate, p95 duration, tokens per day and cost (the `test` model is
// free: $0.00), each chart also as a table.
import { expect, test, type Page } from '@playwright/test'
import path from 'node:path'
import { consoleErrors, graphql, SHOTS as shots, signIn } from './api.ts'

const DEFINITION = {
  nodes: [{ id: 'greet', type: 'llm', label: 'Greeter', params: { model: 'test', prompt: 'Say hello to {{inputs.name}}' } }],
}

async function runToEnd(page: Page, workflowId: string, inputs: Record<string, unknown>): Promise<string> {
  const started = (await graphql(
    page.request,
    'mutation ($id: ID!, $inputs: JSON) { startRun(workflowId: $id, inputs: $inputs) { __typename ... on Run { id } } }',
    { id: workflowId, inputs },
  )) as { startRun: { __typename: string; id: string } }
  expect(started.startRun.__typename).toBe('Run')
  let status = 'PENDING'
  await expect
    .poll(async () => {
      const found = (await graphql(page.request, 'query ($id: ID!) { run(id: $id) { status } }', {
        id: started.startRun.id,
      })) as { run: { status: string } }
      status = found.run.status
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status)
    })
    .toBe(true)
  return status
}

test('the dashboard shows runs by status, failure rate, p95 duration and tokens', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)

  const created = (await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename ... on Workflow { id } } }',
    { input: { name: 'Greeter', definition: DEFINITION } },
  )) as { createWorkflow: { id: string } }
  const workflowId = created.createWorkflow.id
  expect(await runToEnd(page, workflowId, { name: 'Ada' })).toBe('SUCCEEDED')
  expect(await runToEnd(page, workflowId, {})).toBe('FAILED')

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Dashboard' }).click()
  await expect(page).toHaveURL(/\/w\/default\/dashboard$/)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  // only this workflow's runs: other specs may have run others on the same server
  await page.getByRole('combobox', { name: 'Workflow' }).click()
  await page.getByTitle('Greeter').click()
  await expect(page.getByRole('group', { name: 'Runs' })).toContainText('2')
  await expect(page.getByRole('group', { name: 'Failure rate' })).toContainText('50.0 %')
  await expect(page.getByRole('group', { name: 'Failure rate' })).toContainText('1 of 2 finished runs failed')
  await expect(page.getByRole('group', { name: 'p95 duration' })).not.toContainText('—')

  const runs = page.getByRole('figure', { name: 'Runs per hour by status' })
  await expect(runs.getByRole('columnheader')).toHaveText(['Hour', 'SUCCEEDED', 'FAILED'])
  await expect(runs.getByRole('row')).toHaveCount(2)
  await expect(runs.locator('.recharts-bar-rectangle').first()).toBeVisible()
  const tokens = page.getByRole('figure', { name: 'Tokens per day' })
  await expect(tokens.getByRole('row').filter({ hasText: /[1-9]/ }).first()).toBeVisible()
  await expect(tokens.locator('.recharts-bar-rectangle').first()).toBeVisible()
  await expect(page.getByRole('group', { name: 'Cost' })).toContainText('$0.00')
  const cost = page.getByRole('figure', { name: 'Cost per day' })
  await expect(cost.getByRole('columnheader', { name: 'test', exact: true })).toBeAttached()
  await page.screenshot({ path: path.join(shots, '60-dashboard.png'), fullPage: true })

  await page.getByRole('radio', { name: '7 d' }).locator('..').click()
  await expect(page.getByRole('radio', { name: '7 d' })).toBeChecked()
  await expect(page.getByRole('group', { name: 'Failure rate' })).toContainText('50.0 %')
  await expect(page.getByRole('group', { name: 'Cost' })).toContainText('$0.00')
  await page.screenshot({ path: path.join(shots, '61-dashboard-7d.png'), fullPage: true })
  expect(errors).toEqual([])
})
