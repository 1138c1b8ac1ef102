// What several specs do the same way: sign in as the first owner in the browser, and call the API
// as that browser (its cookie and CSRF token) to arrange what a spec is not about.
import { expect, type APIRequestContext, type Page } from '@playwright/test'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { OWNER } from './owner.ts'

/** Where specs save their screenshots (the closing notes describe them). */
export const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results')

/** Signs `page` in with the first owner's password and waits for the workflows page. */
export async function signIn(page: Page): Promise<void> {
  await page.goto('/signin')
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password').fill(OWNER.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/w\/default\/workflows$/)
}

/** Collects the page's console errors; the sign-in page's expected 401 from /auth/session is left out. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('401')) errors.push(message.text())
  })
  return errors
}

/** Runs one GraphQL operation as the signed-in browser of `request` (cookie + CSRF header). */
export async function graphql(request: APIRequestContext, query: string, variables: Record<string, unknown> = {}) {
  const session = (await (await request.get('/auth/session')).json()) as { csrfToken: string }
  const response = await request.post('/graphql', {
    headers: { 'X-CSRF-Token': session.csrfToken, 'X-Flowloom-Workspace': 'default' },
    data: { query, variables },
  })
  expect(response.ok()).toBe(true)
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown }
  expect(body.errors).toBeUndefined()
  return body.data ?? {}
}
