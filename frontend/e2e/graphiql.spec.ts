// GraphiQL bundled into the app: a signed-in person opens /graphql (the server answers a browser there
// with the app's page), runs a query as themself, and the page never reaches another origin.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { OWNER } from './owner.ts'
import { APP_ORIGIN } from './ports.ts'

const shots = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results')

test('GraphiQL runs a query as the signed-in person with every other origin blocked', async ({ page, context }) => {
  // everything the browser fetches for the page, its workers and its editor goes through this route
  const foreign: string[] = []
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (new URL(url).origin === APP_ORIGIN) return route.continue()
    foreign.push(url)
    return route.abort('blockedbyclient')
  })
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== APP_ORIGIN) foreign.push(url)
  })
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`)
  })

  await page.goto('/signin')
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password').fill(OWNER.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/w\/default\/workflows$/)
  errors.length = 0 // the sign-in page asks /auth/session first, which answers 401 before signing in

  // a full load of /graphql, as from the address bar: the server must answer with the app, not its CDN page
  const answer = await page.goto('/graphql')
  expect(answer?.headers()['content-type']).toMatch(/^text\/html/)
  const run = page.getByRole('button', { name: /Execute query/ })
  await expect(run).toBeVisible({ timeout: 30_000 })
  await expect(page.getByLabel('Workspace')).toBeVisible()

  // replace the editor's text; insertText types no bracket Monaco would close by itself
  const editor = page.locator('.graphiql-query-editor .monaco-editor').first()
  await editor.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.press('Delete')
  await page.keyboard.insertText('{ viewer { email } }')
  await run.click()

  const response = page.locator('.graphiql-response')
  await expect(response).toContainText(OWNER.email)
  await expect(response).toContainText('"viewer"')
  await page.screenshot({ path: path.join(shots, '20-graphiql.png') })

  // the schema came by introspection (on in the embedded mode): the documentation explorer lists it
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click()
  await expect(page.locator('.graphiql-doc-explorer')).toContainText('Query')
  await page.screenshot({ path: path.join(shots, '21-graphiql-docs.png') })

  expect(foreign).toEqual([])
  expect(errors).toEqual([])
})
