// Settings and the Workflows table against the real server, as the first owner: a write-only
// credential, an API token shown once that works from Node until revoked, an invitation, a rename;
// then a workflow duplicated from the table whose "Last run" follows a run live.
import { expect, test, type Page } from '@playwright/test'
import path from 'node:path'
import { consoleErrors, graphql, SHOTS, signIn } from './api.ts'
import { APP_ORIGIN } from './ports.ts'

const KEY = 'sk-e2e-settings-0123456789-never-shown'
const ONE_NODE = { nodes: [{ id: 't', type: 'template', label: 'Greeting', params: { template: 'hello' } }], edges: [] }

/** A GraphQL call from Node (not the browser) with a bearer token: the HTTP status and body. */
async function asToken(secret: string) {
  const response = await fetch(`${APP_ORIGIN}/graphql`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: '{ workflows(first: 1) { edges { node { id } } } }' }),
  })
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown } }
}

async function openTab(page: Page, name: string) {
  await page.getByRole('tab', { name }).click()
  await expect(page).toHaveURL(new RegExp(`/settings/${name === 'API tokens' ? 'tokens' : name.toLowerCase()}$`))
}

test('the owner manages the workspace’s settings', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(/\/w\/default\/settings\/general$/)

  // credentials: a key goes in through a password field and never comes back
  await openTab(page, 'Credentials')
  const openai = page.getByRole('row', { name: /OpenAI/ })
  await expect(openai).toContainText('Not set')
  await page.getByRole('button', { name: 'Set OpenAI key' }).click()
  const keyDialog = page.getByRole('dialog', { name: 'Set the OpenAI key' })
  await keyDialog.getByLabel('API key').fill(KEY)
  await keyDialog.getByRole('button', { name: 'Save' }).click()
  await expect(keyDialog).toBeHidden()
  await expect(openai).toContainText('Set')
  await expect(openai).not.toContainText('Not set')
  await page.reload()
  await expect(page.getByRole('row', { name: /OpenAI/ })).toContainText('Set')
  expect(await page.content()).not.toContain(KEY)
  await page.screenshot({ path: path.join(SHOTS, '60-credentials.png') })

  // API tokens: shown once, listed, works from Node, refused once revoked
  await openTab(page, 'API tokens')
  await page.getByRole('textbox', { name: 'Token name' }).fill('e2e script')
  await page.getByRole('button', { name: 'Create token' }).click()
  const tokenDialog = page.getByRole('dialog', { name: 'Token “e2e script” created' })
  await expect(tokenDialog).toContainText('it will not be shown again')
  const secret = ((await tokenDialog.getByLabel('API token', { exact: true }).textContent()) ?? '').trim()
  expect(secret.length).toBeGreaterThan(20)
  // the dialog's zoom-in has finished before the picture
  await expect(page.locator('.ant-zoom-appear, .ant-zoom-enter')).toHaveCount(0)
  await page.screenshot({ path: path.join(SHOTS, '61-token-once.png') })
  await tokenDialog.getByRole('button', { name: 'I have copied it' }).click()
  await expect(tokenDialog).toBeHidden()
  const tokenRow = page.getByRole('row', { name: /e2e script/ })
  await expect(tokenRow).toContainText('Viewer')
  expect(await page.content()).not.toContain(secret)

  const allowed = await asToken(secret)
  expect(allowed.status).toBe(200)
  expect(allowed.body.errors).toBeUndefined()
  expect(allowed.body.data).toHaveProperty('workflows')

  await page.getByRole('button', { name: 'Revoke e2e script' }).click()
  await page.getByRole('button', { name: 'Revoke', exact: true }).click()
  await expect(tokenRow).toContainText('Revoked')
  const refused = await asToken(secret)
  // a revoked token is no credential at all: the same call as before is turned away
  expect(refused.status).toBe(401)
  expect(refused.body.data).toBeUndefined()
  await page.screenshot({ path: path.join(SHOTS, '62-token-revoked.png') })

  // members: an invitation's link is shown once, and the invitation waits in the list
  await openTab(page, 'Members')
  await expect(page.getByRole('row', { name: /ada@example.com/ })).toContainText('Owner')
  await page.getByRole('textbox', { name: 'Email' }).fill('linus@example.com')
  await page.getByRole('button', { name: 'Invite', exact: true }).click()
  await expect(page.getByLabel('Invitation link', { exact: true })).toContainText('/invite?token=')
  await expect(page.getByRole('table', { name: 'Pending invitations' }).getByRole('row', { name: /linus@example.com/ })).toBeVisible()
  await page.screenshot({ path: path.join(SHOTS, '63-members-invite.png') })

  // general: the rename shows in the header's workspace switcher at once
  await openTab(page, 'General')
  const name = page.getByRole('textbox', { name: 'Workspace name' })
  await name.fill('Ada’s lab')
  await page.getByRole('button', { name: 'Rename' }).click()
  await expect(page.locator('header')).toContainText('Ada’s lab')
  await page.screenshot({ path: path.join(SHOTS, '64-general-renamed.png') })
  // the other specs know the workspace by its first name
  await name.fill('Default workspace')
  await page.getByRole('button', { name: 'Rename' }).click()
  await expect(page.locator('header')).toContainText('Default workspace')

  expect(errors).toEqual([])
})

test('a workflow duplicated from the table shows its last run live', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)
  await graphql(
    page.request,
    'mutation ($input: CreateWorkflowInput!) { createWorkflow(input: $input) { __typename } }',
    { input: { name: 'Settings source', definition: ONE_NODE } },
  )
  await page.reload()
  await expect(page.getByRole('link', { name: 'Settings source', exact: true })).toBeVisible()
  await page.getByRole('button', { name: 'Duplicate Settings source' }).click()
  const copy = page.getByRole('row', { name: /Settings source \(copy\)/ })
  await expect(copy).toBeVisible()
  await expect(copy.getByLabel('never run')).toBeVisible()
  await expect(copy.getByRole('link', { name: 'Settings source (copy)' })).toHaveAttribute('href', /\/w\/default\/workflows\/.+/)

  const listed = (await graphql(page.request, 'query { workflows(first: 100) { edges { node { id name } } } }')) as {
    workflows: { edges: { node: { id: string; name: string } }[] }
  }
  const id = listed.workflows.edges.find((edge) => edge.node.name === 'Settings source (copy)')?.node.id
  expect(id).toBeDefined()
  const started = (await graphql(page.request, 'mutation ($id: ID!) { startRun(workflowId: $id) { __typename } }', { id })) as {
    startRun: { __typename: string }
  }
  expect(started.startRun.__typename).toBe('Run')
  await expect(copy).toContainText('SUCCEEDED')
  await page.screenshot({ path: path.join(SHOTS, '65-workflows-last-run.png') })

  // leave the shared server's workflow list as it was for the specs after this one (the run stays)
  for (const edge of listed.workflows.edges.filter((item) => item.node.name.startsWith('Settings source'))) {
    await graphql(page.request, 'mutation ($id: ID!) { deleteWorkflow(id: $id) { __typename } }', { id: edge.node.id })
  }
  expect(errors).toEqual([])
})
