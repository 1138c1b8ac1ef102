// The links people get by hand: an invitation (join with a password) and an admin's password-reset
// link, opened in a fresh browser each, against the same real server the workflows spec set up.
import { expect, test, type APIRequestContext } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { OWNER } from './owner.ts'

const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results')

/** Runs one GraphQL operation as the signed-in browser of `request` (cookie + CSRF header). */
async function graphql(request: APIRequestContext, query: string, variables: Record<string, unknown>) {
  const session = (await (await request.get('/auth/session')).json()) as { csrfToken: string }
  const response = await request.post('/graphql', {
    headers: { 'X-CSRF-Token': session.csrfToken, 'X-Flowloom-Workspace': 'default' },
    data: { query, variables },
  })
  expect(response.ok()).toBe(true)
  return (await response.json()) as { data: Record<string, Record<string, unknown>> }
}

function pathOf(url: unknown): string {
  const link = new URL(String(url))
  return link.pathname + link.search
}

test('an invited person joins with a password, then resets it from an admin’s link', async ({ page, browser }) => {
  await page.goto('/signin')
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password').fill(OWNER.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/w\/default\/workflows$/)

  // the session's websocket: through the same origin, authenticated by the cookie, workspace in init
  const ack = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`ws://${location.host}/graphql`, 'graphql-transport-ws')
        socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { workspace: 'default' } }))
        socket.onmessage = (event) => {
          resolve(String((JSON.parse(String(event.data)) as { type: string }).type))
          socket.close()
        }
        socket.onclose = (event) => resolve(`closed ${event.code}`)
      }),
  )
  expect(ack).toBe('connection_ack')

  const invited = await graphql(
    page.request,
    'mutation($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { __typename ... on IssuedInvite { url } } }',
    { email: 'grace@example.com', role: 'VIEWER' },
  )
  const invitePath = pathOf(invited.data.inviteMember.url)

  const guest = await browser.newContext()
  const invitee = await guest.newPage()
  await invitee.goto(invitePath)
  await expect(invitee.getByRole('heading', { name: 'Join with a password' })).toBeVisible()
  await expect(invitee.getByText('You are invited to Default workspace as viewer (grace@example.com).')).toBeVisible()
  await invitee.screenshot({ path: path.join(shots, '11-invite.png') })
  await invitee.getByLabel('Your name').fill('Grace Hopper')
  await invitee.getByLabel('Password (at least 10 characters)').fill('first password here')
  await invitee.getByRole('button', { name: 'Join' }).click()
  await expect(invitee).toHaveURL(/\/w\/default\/workflows$/)
  // a viewer reads but does not edit
  await expect(invitee.getByRole('heading', { name: 'Workflows' })).toBeVisible()
  await expect(invitee.getByRole('button', { name: 'New workflow' })).toHaveCount(0)
  await invitee.screenshot({ path: path.join(shots, '12-viewer.png') })
  // an invitation works once
  await invitee.goto(invitePath)
  await expect(invitee.getByRole('alert')).toHaveText('This invitation was used already, has expired or is wrong.')
  await guest.close()

  const members = await graphql(page.request, 'query { members { userId email } }', {})
  const list = members.data.members as unknown as { userId: string; email: string }[]
  const grace = list.find((member) => member.email === 'grace@example.com')
  const reset = await graphql(
    page.request,
    'mutation($userId: ID!) { createPasswordReset(userId: $userId) { __typename ... on PasswordResetLink { url } } }',
    { userId: grace?.userId },
  )
  const other = await browser.newContext()
  const resetter = await other.newPage()
  await resetter.goto(pathOf(reset.data.createPasswordReset.url))
  await expect(resetter.getByRole('heading', { name: 'Choose a new password' })).toBeVisible()
  await resetter.getByLabel('New password (at least 10 characters)').fill('second password here')
  await resetter.getByRole('button', { name: 'Set password' }).click()
  await expect(resetter).toHaveURL(/\/w\/default\/workflows$/)
  await resetter.goto('/account')
  await expect(resetter.getByRole('heading', { name: 'Signed in as grace@example.com' })).toBeVisible()
  await expect(resetter.getByRole('list', { name: 'Your workspaces' })).toContainText('viewer')
  await resetter.screenshot({ path: path.join(shots, '13-account.png') })
  await other.close()

  // signed in, grace accepts an invitation to a second workspace and switches between the two
  const created = await graphql(
    page.request,
    'mutation { createWorkspace(name: "Research", slug: "research") { __typename ... on Workspace { slug } } }',
    {},
  )
  expect(created.data.createWorkspace.slug).toBe('research')
  const research = await page.request.post('/graphql', {
    headers: {
      'X-CSRF-Token': ((await (await page.request.get('/auth/session')).json()) as { csrfToken: string }).csrfToken,
      'X-Flowloom-Workspace': 'research',
    },
    data: {
      query:
        'mutation($email: String!) { inviteMember(email: $email, role: EDITOR) { __typename ... on IssuedInvite { url } } }',
      variables: { email: 'grace@example.com' },
    },
  })
  const second = (await research.json()) as { data: { inviteMember: { url: string } } }
  const again = await browser.newContext()
  const graceAgain = await again.newPage()
  await graceAgain.goto('/signin')
  await graceAgain.getByLabel('Email').fill('grace@example.com')
  await graceAgain.getByLabel('Password').fill('second password here')
  await graceAgain.getByRole('button', { name: 'Sign in' }).click()
  await expect(graceAgain).toHaveURL(/\/w\/default\/workflows$/)
  await graceAgain.goto(pathOf(second.data.inviteMember.url))
  await expect(graceAgain.getByText('You are invited to Research as editor (grace@example.com).')).toBeVisible()
  await graceAgain.getByRole('button', { name: 'Accept invitation' }).click()
  await expect(graceAgain).toHaveURL(/\/w\/research\/workflows$/)
  // an editor there: the create controls show
  await expect(graceAgain.getByRole('button', { name: 'New workflow' })).toBeVisible()
  await graceAgain.getByRole('combobox', { name: 'Workspace' }).click()
  // antd's role=option elements are a hidden list for screen readers; a person clicks the visible item
  await graceAgain.locator('.ant-select-item-option').filter({ hasText: 'Default workspace' }).click()
  await expect(graceAgain).toHaveURL(/\/w\/default\/workflows$/)
  await expect(graceAgain.getByRole('button', { name: 'New workflow' })).toHaveCount(0)
  await graceAgain.screenshot({ path: path.join(shots, '14-switched.png') })
  await again.close()

  // the owner's session ends behind the pages' backs. Workflows holds a live subscription: the server
  // closes its socket (4401) and the page goes to sign in by itself. Settings holds none: its next
  // request (HTTP 401) sends it there.
  const settings = await page.context().newPage()
  await settings.goto('/w/default/settings/general')
  const rename = settings.getByRole('textbox', { name: 'Workspace name' })
  await expect(rename).toBeVisible()
  const session = (await (await page.request.get('/auth/session')).json()) as { csrfToken: string }
  await page.request.post('/auth/logout', { headers: { 'X-CSRF-Token': session.csrfToken } })
  await expect(page).toHaveURL(/\/signin\?next=%2Fw%2Fdefault%2Fworkflows$/)
  await rename.fill('Too late')
  await settings.getByRole('button', { name: 'Rename' }).click()
  await expect(settings).toHaveURL(/\/signin\?next=%2Fw%2Fdefault%2Fsettings%2Fgeneral$/)
})
