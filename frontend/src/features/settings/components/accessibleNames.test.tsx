import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { ApiTokensDocument, CredentialsDocument, InvitesDocument, MembersDocument } from '../../../gql/graphql'
import { renderSettings } from '../testing'

const CONTROLS = ['button', 'link', 'textbox', 'searchbox', 'combobox', 'checkbox', 'radio', 'switch', 'tab']

/** Every control a person can reach, with no accessible name. */
function unnamedControls(): string[] {
  return CONTROLS.flatMap((role) =>
    screen
      .queryAllByRole(role, { name: (name) => name.trim() === '' })
      .map((element) => `${role}: ${element.outerHTML.slice(0, 120)}`),
  )
}

const member = { __typename: 'Member', userId: 'u2', email: 'bob@example.com', displayName: 'Bob', role: 'EDITOR', joinedAt: '2026-12-01T10:00:00Z' }
const token = {
  __typename: 'ApiToken', id: 't1', name: 'ci', prefix: 'flw_1', role: 'VIEWER', createdBy: 'ada@example.com',
  createdAt: '2026-12-01T10:00:00Z', lastUsedAt: null, expiresAt: null, revokedAt: null,
}
const credential = { __typename: 'Credential', provider: 'openai', baseUrl: null, createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z' }

describe('the Settings tabs’ controls, as an owner sees them', () => {
  it('all have an accessible name on every tab and in the key dialog', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'OWNER', [
      { request: { query: MembersDocument }, result: { data: { members: [member] } } },
      { request: { query: InvitesDocument }, result: { data: { invites: [] } } },
      { request: { query: CredentialsDocument }, result: { data: { credentials: [credential] } } },
      { request: { query: ApiTokensDocument }, result: { data: { apiTokens: [token] } } },
    ])
    await screen.findByRole('combobox', { name: 'Role of bob@example.com' })
    expect(unnamedControls()).toEqual([])
    await user.click(screen.getByRole('tab', { name: 'Credentials' }))
    await user.click(await screen.findByRole('button', { name: 'Replace OpenAI key' }))
    await screen.findByRole('dialog', { name: 'Replace the OpenAI key' })
    expect(unnamedControls()).toEqual([])
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    await user.click(screen.getByRole('tab', { name: 'API tokens' }))
    await screen.findByRole('button', { name: 'Revoke ci' })
    expect(unnamedControls()).toEqual([])
    await user.click(screen.getByRole('tab', { name: 'General' }))
    await screen.findByRole('textbox', { name: 'Workspace name' })
    expect(unnamedControls()).toEqual([])
  })
})
