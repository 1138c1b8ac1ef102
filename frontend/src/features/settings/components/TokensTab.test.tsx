import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ApiTokensDocument, CreateApiTokenDocument, RevokeApiTokenDocument } from '../../../gql/graphql'
import { renderSettings } from '../testing'

const SECRET = 'flw_0123456789abcdefSECRET'
const token = {
  __typename: 'ApiToken' as const,
  id: 't1',
  name: 'ci',
  prefix: 'flw_0123',
  role: 'VIEWER' as const,
  createdBy: 'ada@example.com',
  createdAt: '2026-12-02T10:00:00Z',
  lastUsedAt: null,
  expiresAt: '2027-01-01T10:00:00Z',
  revokedAt: null,
}
const tokens = (list: (typeof token)[] | { revokedAt: string }[]): MockLink.MockedResponse => ({
  request: { query: ApiTokensDocument },
  result: { data: { apiTokens: list } },
})

describe('Settings: API tokens', () => {
  it('offers an admin no role above admin for a token', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('tokens', 'ADMIN', [tokens([])])
    expect(await screen.findByText('No API tokens yet.')).toBeInTheDocument()
    await user.click(screen.getByRole('combobox', { name: 'Token role' }))
    expect(await screen.findByTitle('Admin')).toBeInTheDocument()
    expect(screen.queryByTitle('Owner')).not.toBeInTheDocument()
  })

  it('shows a new token once, then lists it without its secret', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('tokens', 'OWNER', [
      tokens([]),
      {
        request: { query: CreateApiTokenDocument, variables: { input: { name: 'ci', role: 'VIEWER', expiresInDays: 30 } } },
        result: { data: { createApiToken: { __typename: 'CreatedApiToken', secret: SECRET, token } } },
      },
      tokens([token]),
    ])
    await user.type(await screen.findByRole('textbox', { name: 'Token name' }), 'ci')
    await user.click(screen.getByRole('button', { name: 'Create token' }))
    const dialog = await screen.findByRole('dialog', { name: 'Token “ci” created' })
    expect(within(dialog).getByLabelText('API token', { selector: 'span' })).toHaveTextContent(SECRET)
    expect(dialog).toHaveTextContent('it will not be shown again')
    expect(within(dialog).getByRole('button', { name: 'Copy API token' })).toBeInTheDocument()
    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }))
    await waitFor(() => expect(screen.queryByText(SECRET)).not.toBeInTheDocument())
    const row = await screen.findByRole('row', { name: /ci/ })
    expect(row).toHaveTextContent('flw_0123…')
    expect(row).not.toHaveTextContent(SECRET)
  })

  it('shows a refused token in words', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('tokens', 'OWNER', [
      tokens([]),
      {
        request: { query: CreateApiTokenDocument, variables: { input: { name: 'ci', role: 'VIEWER', expiresInDays: 30 } } },
        result: { data: { createApiToken: { __typename: 'Refused', code: 'INVALID_EXPIRY', message: 'Expire in 1 to 3650 days, or never.' } } },
      },
    ])
    await user.type(await screen.findByRole('textbox', { name: 'Token name' }), 'ci')
    await user.click(screen.getByRole('button', { name: 'Create token' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Expire in 1 to 3650 days, or never.')
  })

  it('revokes a token after confirmation', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('tokens', 'OWNER', [
      tokens([token]),
      {
        request: { query: RevokeApiTokenDocument, variables: { id: 't1' } },
        result: { data: { revokeApiToken: { ...token, revokedAt: '2026-12-03T01:00:00Z' } } },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Revoke ci' }))
    await user.click(await screen.findByRole('button', { name: 'Revoke' }))
    expect(await within(screen.getByRole('row', { name: /ci/ })).findByText(/Revoked/)).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Revoke ci' })).not.toBeInTheDocument()
  })
})
