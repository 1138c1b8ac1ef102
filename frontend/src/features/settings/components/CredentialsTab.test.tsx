import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { CredentialsDocument, SetCredentialDocument } from '../../../gql/graphql'
import { renderSettings } from '../testing'

const KEY = 'sk-test-never-shown-again'
const stored = { __typename: 'Credential' as const, provider: 'openai', baseUrl: null, createdAt: '2026-12-02T10:00:00Z', updatedAt: '2026-12-02T10:00:00Z' }
const credentials = (list: (typeof stored)[]): MockLink.MockedResponse => ({
  request: { query: CredentialsDocument },
  result: { data: { credentials: list } },
})

describe('Settings: Credentials', () => {
  it('tells a viewer which keys are set, with no way to change them', async () => {
    renderSettings('credentials', 'VIEWER', [credentials([stored])])
    const openai = await screen.findByRole('row', { name: /OpenAI/ })
    expect(within(openai).getByText('Set')).toBeInTheDocument()
    expect(within(screen.getByRole('row', { name: /Anthropic/ })).getByText('Not set')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Replace OpenAI key' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Set Anthropic key' })).not.toBeInTheDocument()
  })

  it('sets a key through a password field and never shows it afterwards', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('credentials', 'EDITOR', [
      credentials([]),
      {
        request: { query: SetCredentialDocument, variables: { input: { provider: 'openai', apiKey: KEY, baseUrl: null } } },
        result: { data: { setCredential: { __typename: 'Credential', provider: 'openai', baseUrl: null } } },
      },
      credentials([stored]),
    ])
    await user.click(await screen.findByRole('button', { name: 'Set OpenAI key' }))
    const dialog = await screen.findByRole('dialog', { name: 'Set the OpenAI key' })
    const field = within(dialog).getByLabelText('API key')
    expect(field).toHaveAttribute('type', 'password')
    await user.click(field)
    await user.paste(KEY)
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Set the OpenAI key' })).not.toBeInTheDocument())
    expect(await within(screen.getByRole('row', { name: /OpenAI/ })).findByText('Set')).toBeInTheDocument()
    expect(screen.queryByText(KEY, { exact: false })).not.toBeInTheDocument()
    expect(screen.queryByDisplayValue(KEY)).not.toBeInTheDocument()
    // opening the dialog again starts empty: the key is not read back
    await user.click(screen.getByRole('button', { name: 'Replace OpenAI key' }))
    const again = await screen.findByRole('dialog', { name: 'Replace the OpenAI key' })
    expect(within(again).getByLabelText('API key')).toHaveValue('')
  })

  it('shows the server’s problems with a credential in words', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('credentials', 'OWNER', [
      credentials([]),
      {
        request: { query: SetCredentialDocument, variables: { input: { provider: 'ollama', apiKey: null, baseUrl: 'ftp://x' } } },
        result: {
          data: {
            setCredential: {
              __typename: 'InvalidCredential',
              problems: [{ __typename: 'Problem', code: 'INVALID_URL', message: 'the base URL must be an absolute http(s) URL', path: 'baseUrl' }],
            },
          },
        },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Set Ollama key' }))
    const dialog = await screen.findByRole('dialog', { name: 'Set the Ollama key' })
    await user.type(within(dialog).getByLabelText('Base URL (optional)'), 'ftp://x')
    await user.click(within(dialog).getByRole('button', { name: 'Save' }))
    expect(await within(dialog).findByRole('list', { name: 'Problems' })).toHaveTextContent(
      'The base URL must be an absolute http(s) URL',
    )
  })
})
