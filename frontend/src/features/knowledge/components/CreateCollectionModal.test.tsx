import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { CreateCollectionDocument } from '../../../gql/graphql'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { CreateCollectionModal } from './CreateCollectionModal'

const INPUT = {
  name: 'Handbook',
  description: '',
  model: 'wordllama-256',
  dimension: 3,
  metric: 'COSINE',
  language: 'klingon',
  chunking: { size: 1000, overlap: 100, unit: 'CHARACTERS' },
}

function refused(problems: { code: string; message: string; path: string | null }[]): MockLink.MockedResponse {
  return {
    request: { query: CreateCollectionDocument, variables: { input: INPUT } },
    result: {
      data: {
        createCollection: {
          __typename: 'InvalidKnowledge',
          problems: problems.map((problem) => ({ __typename: 'Problem', ...problem })),
        },
      },
    },
  }
}

describe('CreateCollectionModal', () => {
  it('shows each typed problem on the field it names', async () => {
    const user = userEvent.setup({ delay: null })
    const onCreated = vi.fn()
    renderAt(<CreateCollectionModal onClose={() => undefined} onCreated={onCreated} />, {
      session: OWNER_SESSION,
      mocks: [
        refused([
          { code: 'DIMENSION_MISMATCH', message: 'wordllama-256 gives 256 dimensions, not 3', path: 'dimension' },
          { code: 'UNKNOWN_LANGUAGE', message: "no text search language 'klingon'; use one of english, simple", path: 'language' },
          { code: 'INVALID_VALUE', message: 'chunk overlap must be smaller than the chunk size', path: 'chunking' },
          { code: 'UNKNOWN_MODEL', message: 'unknown embedding model', path: 'model' },
          { code: 'NAME_TAKEN', message: 'this workspace already has a collection named Handbook', path: 'name' },
        ]),
      ],
    })
    const dialog = await screen.findByRole('dialog', { name: 'New collection' })
    expect(screen.getByRole('combobox', { name: 'Embedding model' })).toHaveValue('wordllama-256')
    expect(screen.getByRole('combobox', { name: 'Language' })).toHaveValue('simple')
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Handbook')
    await user.type(screen.getByRole('spinbutton', { name: 'Dimension' }), '3')
    const language = screen.getByRole('combobox', { name: 'Language' })
    await user.clear(language)
    await user.type(language, 'klingon')
    await user.click(screen.getByRole('button', { name: 'Create' }))

    const inItem = (control: HTMLElement, text: string) =>
      waitFor(() => expect(control.closest('.ant-form-item')).toHaveTextContent(text))
    await inItem(screen.getByRole('textbox', { name: 'Name' }), 'This workspace already has a collection named Handbook')
    await inItem(screen.getByRole('combobox', { name: 'Embedding model' }), 'Unknown embedding model')
    await inItem(screen.getByRole('spinbutton', { name: 'Dimension' }), 'wordllama-256 gives 256 dimensions, not 3')
    await inItem(language, "No text search language 'klingon'")
    await inItem(screen.getByRole('spinbutton', { name: 'Chunk size' }), 'Chunk overlap must be smaller than the chunk size')
    expect(onCreated).not.toHaveBeenCalled()
    expect(dialog).toBeInTheDocument()
  })
})
