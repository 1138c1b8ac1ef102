// The first owner's path through the app against a real server: setup link → Workflows → import the
// README's seed definition → see it → refuse a broken one in words → delete → sign out and in again.
import { expect, test } from '@playwright/test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { STATE_FILE } from './global-setup.ts'
import { OWNER } from './owner.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const shots = path.resolve(here, '..', 'test-results')

test('the first owner sets up, imports, sees and deletes a workflow', async ({ page }) => {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  const { setupPath } = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { setupPath: string }

  await page.goto(setupPath)
  await expect(page.getByRole('heading', { name: 'Create the first owner' })).toBeVisible()
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Your name').fill(OWNER.name)
  await page.getByLabel('Password (at least 10 characters)').fill(OWNER.password)
  await page.screenshot({ path: path.join(shots, '01-setup.png') })
  await page.getByRole('button', { name: 'Create owner' }).click()

  await expect(page).toHaveURL(/\/w\/default\/workflows$/)
  await expect(page.getByRole('heading', { name: 'Workflows' })).toBeVisible()
  await expect(page.getByText('No workflows yet. Create one, or import a JSON definition.')).toBeVisible()
  await page.screenshot({ path: path.join(shots, '02-empty.png') })

  // import the seed JSON as it is; the file's name becomes the workflow's
  await page.getByLabel('Workflow definition file').setInputFiles(path.join(here, 'fixtures', 'seed.json'))
  const dialog = page.getByRole('dialog', { name: 'Import a workflow' })
  await expect(dialog.getByLabel('Name')).toHaveValue('seed')
  await dialog.getByLabel('Name').fill('Seed')
  await expect(dialog.getByLabel('Definition (JSON)')).toContainText('Summarizer')
  await dialog.getByRole('button', { name: 'Create' }).click()
  await expect(dialog).toBeHidden()

  const table = page.getByRole('table')
  const row = table.getByRole('row', { name: /Seed/ })
  await expect(row).toBeVisible()
  await expect(row.getByRole('cell').nth(1)).toHaveText('1')
  await page.screenshot({ path: path.join(shots, '03-imported.png') })

  // a broken definition is refused with the server's problems in words
  await page.getByRole('button', { name: 'New workflow' }).click()
  const create = page.getByRole('dialog', { name: 'New workflow' })
  await create.getByLabel('Name').fill('Broken')
  await create.getByLabel('Definition (JSON)').fill('{"nodes": [{"id": "a", "type": "no-such-kind"}], "edges": []}')
  await create.getByRole('button', { name: 'Create' }).click()
  await expect(create.getByRole('alert')).toContainText('The workflow has')
  await page.screenshot({ path: path.join(shots, '04-problems.png') })
  await create.getByRole('button', { name: 'Cancel' }).click()
  await expect(create).toBeHidden()

  // search narrows the table by name
  await page.getByLabel('Search workflows').fill('nothing like it')
  await expect(page.getByText('No workflow’s name contains “nothing like it”.')).toBeVisible()
  await page.getByLabel('Search workflows').fill('see')
  await expect(row).toBeVisible()

  // export offers the definition as a file
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export Seed' }).click()
  expect((await download).suggestedFilename()).toBe('Seed.json')

  await page.getByRole('button', { name: 'Delete Seed' }).click()
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect(row).toBeHidden()
  await page.getByLabel('Search workflows').fill('')
  await expect(page.getByText('No workflows yet. Create one, or import a JSON definition.')).toBeVisible()
  await page.screenshot({ path: path.join(shots, '05-deleted.png') })

  // sign out, then back in with the password
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await page.getByLabel('Email').fill(OWNER.email)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible()
  await page.screenshot({ path: path.join(shots, '06-wrong-password.png') })
  await page.getByLabel('Password').fill(OWNER.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/w\/default\/workflows$/)

  expect(errors.filter((text) => !text.includes('401'))).toEqual([])
})
