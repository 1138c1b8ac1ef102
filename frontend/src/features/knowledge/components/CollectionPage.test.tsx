import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { liveLink } from '../../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import type { Session } from '../../auth/api/session'
import { document, DocumentProgressDocument, header, listing, step } from '../testing'
import CollectionPage from './CollectionPage'

function renderPage(mocks: Parameters<typeof liveLink>[0], session: Session = OWNER_SESSION) {
  const live = liveLink(mocks)
  renderAt(<CollectionPage />, {
    path: '/w/default/knowledge/c1',
    pattern: '/w/:workspace/knowledge/:collectionId',
    session,
    link: live.link,
  })
  return live
}

describe('CollectionPage', () => {
  it('follows ingestion live: a bar while PROCESSING, READY with its chunks, FAILED with why, and fresh stats', async () => {
    const { push } = renderPage([
      header(),
      listing([document('d2', 'guide.md', 'PENDING'), document('d1', 'faq.md', 'READY', 3)]),
      // read again when a document settles
      header({ ready: 2, pending: 0, chunks: 7 }),
      header({ ready: 2, pending: 0, failed: 1, documents: 3, chunks: 7 }),
    ])
    const table = await screen.findByRole('table', { name: 'Documents' })
    const guide = await within(table).findByRole('row', { name: /guide\.md/ })
    expect(guide).toHaveTextContent('PENDING')
    expect(within(table).getByRole('row', { name: /faq\.md/ })).toHaveTextContent('READY')

    push(DocumentProgressDocument, step('d2', 'guide.md', 'PROCESSING', 2, 4))
    expect(await within(guide).findByRole('progressbar', { name: 'guide.md: 2 of 4 chunks embedded' })).toBeInTheDocument()
    expect(guide).toHaveTextContent('PROCESSING')

    push(DocumentProgressDocument, step('d2', 'guide.md', 'READY', 4, 4))
    expect(await within(guide).findByText('READY')).toBeInTheDocument()
    expect(within(guide).queryByRole('progressbar')).not.toBeInTheDocument()
    const stats = screen.getByRole('group', { name: 'Collection statistics' })
    expect(await within(stats).findByText('7')).toBeInTheDocument()

    // a document added elsewhere, heard of only through progress
    push(DocumentProgressDocument, step('d3', 'scan.pdf', 'FAILED', 0, 0, 'scan.pdf has no text'))
    const scan = await within(table).findByRole('row', { name: /scan\.pdf/ })
    expect(scan).toHaveTextContent('FAILED')
    expect(scan).toHaveTextContent('scan.pdf has no text')
  })

  it('shows a viewer the documents and search, but no upload, text or delete', async () => {
    renderPage([header(), listing([document('d1', 'faq.md', 'READY', 3)])], {
      ...OWNER_SESSION,
      workspaces: [{ ...OWNER_SESSION.workspaces[0], role: 'VIEWER' }],
    })
    expect(await screen.findByRole('row', { name: /faq\.md/ })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Search' })).toBeInTheDocument()
    expect(screen.queryByLabelText('Upload documents')).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Add text' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Delete/ })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Reindex' })).not.toBeInTheDocument()
  })
})
