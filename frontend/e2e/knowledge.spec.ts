// Knowledge against the real server, as the first owner: a collection created in the UI (a typed
// problem shown on its field first), a Markdown file and a web page uploaded, both READY live (no
// reload), a search by meaning that finds the right chunk without sharing its words, a filter the
// server refuses shown under its field, a refused file, and deletes after confirming.
import { expect, test } from '@playwright/test'
import path from 'node:path'
import { consoleErrors, SHOTS, signIn } from './api.ts'

const KITTENS = `# Kittens

A kitten is a young cat. Kittens are born with their eyes closed and open them after about a week.
They drink their mother's milk for the first month, then start on soft food, and spend most of the
day asleep or at play.
`

const INVOICES = `<!doctype html>
<html lang="en">
  <head><title>Paying invoices</title></head>
  <body>
    <nav><a href="/">Home</a></nav>
    <main>
      <h1>Paying invoices</h1>
      <p>An invoice lists the goods or services a customer bought, what each cost, the tax on them and
      the date by which the customer must pay. Keep a copy of every invoice for the accounts.</p>
    </main>
  </body>
</html>
`

test('the owner builds a collection, watches it ingest and searches it by meaning', async ({ page }) => {
  const errors = consoleErrors(page)
  await signIn(page)

  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Knowledge' }).click()
  await expect(page).toHaveURL(/\/w\/default\/knowledge$/)
  await expect(page.getByRole('heading', { name: 'Knowledge' })).toBeVisible()

  // the server's typed problem lands on the field it names
  await page.getByRole('button', { name: 'New collection' }).click()
  const dialog = page.getByRole('dialog', { name: 'New collection' })
  await expect(dialog.getByRole('combobox', { name: 'Embedding model' })).toHaveValue('wordllama-256')
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Pets and papers')
  await dialog.getByRole('combobox', { name: 'Language' }).fill('klingon')
  await dialog.getByRole('combobox', { name: 'Language' }).press('Tab')
  await dialog.getByRole('button', { name: 'Create' }).click()
  await expect(dialog.getByText("No text search language 'klingon'")).toBeVisible()
  await dialog.getByRole('combobox', { name: 'Language' }).fill('english')
  await dialog.getByRole('combobox', { name: 'Language' }).press('Tab')
  await dialog.getByRole('button', { name: 'Create' }).click()
  await expect(dialog).toBeHidden()
  await expect(page).toHaveURL(/\/w\/default\/knowledge\/[0-9a-f-]{36}$/)
  await expect(page.getByRole('heading', { name: 'Pets and papers' })).toBeVisible()
  await expect(page.getByText('No documents yet. Upload files or add a text.')).toBeVisible()

  // from here on the page is never reloaded: READY arrives through documentProgress
  let navigations = 0
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1
  })
  await page.getByLabel('Upload documents').setInputFiles([
    { name: 'kittens.md', mimeType: 'text/markdown', buffer: Buffer.from(KITTENS) },
    { name: 'invoices.html', mimeType: 'text/html', buffer: Buffer.from(INVOICES) },
  ])
  const documents = page.getByRole('table', { name: 'Documents' })
  const kittens = documents.getByRole('row', { name: /kittens\.md/ })
  const invoices = documents.getByRole('row', { name: /invoices\.html/ })
  await expect(kittens).toContainText('READY')
  await expect(invoices).toContainText('READY')
  await expect(kittens).toContainText('Markdown')
  await expect(invoices).toContainText('HTML')
  const stats = page.getByRole('group', { name: 'Collection statistics' })
  await expect(stats).toContainText('Ready2')
  expect(navigations).toBe(0)
  await page.mouse.move(0, 0)
  await page.screenshot({ path: path.join(SHOTS, '70-knowledge-collection.png'), fullPage: true })

  // "baby feline" is in neither file: the kittens chunk is found by meaning
  const search = page.getByRole('button', { name: 'Search', exact: true })
  await page.getByRole('textbox', { name: 'Query' }).fill('baby feline')
  await search.click()
  const results = page.getByRole('list', { name: 'Search results' }).getByRole('listitem')
  await expect(results.first()).toContainText('kittens.md')
  await expect(results.first()).toContainText('A kitten is a young cat')
  await expect(results.first()).toContainText(/score \d\.\d{3}/)
  expect(KITTENS + INVOICES).not.toMatch(/baby|feline/i)
  await results.first().scrollIntoViewIfNeeded()
  await page.screenshot({ path: path.join(SHOTS, '71-knowledge-search.png'), fullPage: true })

  // a filter the server refuses: its message and code under the filter field
  await page.getByRole('textbox', { name: 'Filter (JSON, optional)' }).fill('{"lang": {"$near": "en"}}')
  await search.click()
  await expect(page.getByText(/unknown operator \$near.*\(INVALID_FILTER\)/)).toBeVisible()
  // and JSON that is no JSON never leaves the page
  await page.getByRole('textbox', { name: 'Filter (JSON, optional)' }).fill('{lang: en')
  await search.click()
  await expect(page.getByText(/^This is not JSON/)).toBeVisible()

  // a kind of file the server does not ingest is refused, with why
  await page.getByLabel('Upload documents').setInputFiles([
    { name: 'notes.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from('PK\u0003\u0004 not really a docx') },
  ])
  const refused = page.getByRole('alert').filter({ hasText: '1 file was refused' })
  await expect(refused).toContainText('notes.docx')
  await expect(refused).toContainText('UNSUPPORTED_MEDIA_TYPE')
  await expect(documents.getByRole('row', { name: /notes\.docx/ })).toHaveCount(0)
  await page.screenshot({ path: path.join(SHOTS, '72-knowledge-refused.png') })
  expect(navigations).toBe(0)

  // a document deleted after confirming goes from the table and the counts
  await page.getByRole('button', { name: 'Delete invoices.html' }).click()
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect(invoices).toHaveCount(0)
  await expect(stats).toContainText('Documents1')

  // the listing counts what the collection holds; the collection goes after confirming
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Knowledge' }).click()
  const row = page.getByRole('table', { name: 'Collections' }).getByRole('row', { name: /Pets and papers/ })
  await expect(row).toContainText('wordllama-256')
  await expect(row).toContainText('ready')
  await expect(row.getByRole('cell', { name: '1', exact: true }).first()).toBeVisible()
  await page.screenshot({ path: path.join(SHOTS, '73-knowledge-list.png') })
  await row.getByRole('button', { name: 'Delete Pets and papers' }).click()
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect(row).toHaveCount(0)
  await expect(page.getByText('No collections yet. Create one, then add documents to it.')).toBeVisible()

  expect(errors).toEqual([])
})
