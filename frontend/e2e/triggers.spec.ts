// Triggers against the real server: add a webhook in the editor's Triggers drawer, call it signed as
// a sender would, see the run on the Runs page with its trigger; a refused schedule says why in words.
import { expect, test } from '@playwright/test'
import { createHmac } from 'node:crypto'
import path from 'node:path'
import { consoleErrors, graphql, SHOTS as shots, signIn } from './api.ts'

const GREETER = {
  inputs: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  nodes: [{ id: 'greet', type: 'template', params: { template: 'Hello {{ inputs.name }}' } }],
}

test('a signed webhook starts a run that the Runs page shows with its trigger', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)
  const created = (await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename ... on Workflow { id } } }',
    { input: { name: 'Greeter via webhook', definition: GREETER } },
  )) as { createWorkflow: { id: string } }
  await page.goto(`/w/default/workflows/${created.createWorkflow.id}`)

  await page.getByRole('button', { name: 'Triggers' }).click()
  const drawer = page.getByRole('dialog', { name: 'Triggers' })
  await expect(drawer.getByText('No triggers yet: add a webhook or a schedule.')).toBeVisible()

  // a schedule the server refuses says why, next to the field
  await drawer.getByRole('button', { name: 'Add schedule' }).click()
  await drawer.getByRole('textbox', { name: 'Cron expression' }).fill('61 * * * *')
  await drawer.getByRole('button', { name: 'Create schedule' }).click()
  await expect(drawer.getByRole('alert')).toContainText('is not a valid cron expression')
  await drawer.getByRole('textbox', { name: 'Cron expression' }).fill('*/5 * * * *')
  await drawer.getByRole('textbox', { name: 'Run inputs (JSON)' }).fill('{"name": "cron"}')
  await drawer.getByRole('button', { name: 'Create schedule' }).click()
  await expect(drawer.getByText('*/5 * * * *')).toBeVisible()

  await drawer.getByRole('button', { name: 'Add webhook' }).click()
  await drawer.getByRole('textbox', { name: 'Webhook name' }).fill('From CI')
  await drawer.getByRole('button', { name: 'Create webhook' }).click()
  const shown = page.getByRole('dialog', { name: 'Webhook “From CI” created' })
  const url = (await shown.getByLabel('Webhook URL', { exact: true }).textContent()) ?? ''
  const secret = (await shown.getByLabel('Webhook secret', { exact: true }).textContent()) ?? ''
  expect(url).toMatch(/\/hooks\/[0-9a-f-]{36}$/)
  expect(secret).toMatch(/^flwh_/)
  await expect(shown.getByLabel('curl example')).toContainText('X-Flowloom-Signature')
  await page.screenshot({ path: path.join(shots, '60-webhook-secret.png') })
  await shown.getByRole('button', { name: 'I have copied it' }).click()

  const body = JSON.stringify({ name: 'Playwright' })
  const unsigned = await page.request.post(url, { data: body, headers: { 'Content-Type': 'application/json' } })
  expect(unsigned.status()).toBe(401)
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
  const delivered = await page.request.post(`${url}?wait=10`, {
    data: body,
    headers: { 'Content-Type': 'application/json', 'X-Flowloom-Signature': signature },
  })
  expect(delivered.status()).toBe(200)
  expect(await delivered.json()).toMatchObject({ status: 'SUCCEEDED', output: { greet: 'Hello Playwright' } })
  await page.screenshot({ path: path.join(shots, '61-triggers-drawer.png') })

  await page.getByRole('button', { name: 'Close' }).click()
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Runs' }).click()
  await expect(page.getByRole('row', { name: /Greeter via webhook.*Webhook: From CI/ })).toContainText('SUCCEEDED')
  await page.screenshot({ path: path.join(shots, '62-runs-started-by.png') })
  expect(errors).toEqual([])
})
