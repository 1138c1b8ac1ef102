import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import {
  InviteMemberDocument,
  RevokeInviteDocument,
} from '../../../gql/graphql'
import { invite, invites, members, renderSettings } from '../testing'

describe('Settings: Members, invitations', () => {
  it('invites someone and shows the link once, with a copy button', async () => {
    const user = userEvent.setup({ delay: null })
    const url = 'http://127.0.0.1:8000/invite?token=secret-link'
    renderSettings('members', 'ADMIN', [
      members(),
      invites(),
      {
        request: { query: InviteMemberDocument, variables: { email: 'grace@example.com', role: 'EDITOR' } },
        result: { data: { inviteMember: { __typename: 'IssuedInvite', url, mailed: false, invite } } },
      },
      invites([invite]),
    ])
    await user.click(await screen.findByRole('textbox', { name: 'Email' }))
    await user.paste('grace@example.com')
    await user.click(screen.getByRole('button', { name: 'Invite' }))
    expect(await screen.findByLabelText('Invitation link')).toHaveTextContent(url)
    expect(screen.getByText('Hand them this link now: it will not be shown again.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Copy invitation link' })).toBeInTheDocument()
    const pending = screen.getByRole('table', { name: 'Pending invitations' })
    expect(await within(pending).findByRole('row', { name: /grace@example.com/ })).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Close the invitation link' }))
    await waitFor(() => expect(screen.queryByText(url)).not.toBeInTheDocument())
  })
  it('shows a refused invitation in words', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'ADMIN', [
      members(),
      invites(),
      {
        request: { query: InviteMemberDocument, variables: { email: 'bob@example.com', role: 'EDITOR' } },
        result: {
          data: { inviteMember: { __typename: 'Refused', code: 'ALREADY_MEMBER', message: 'bob@example.com is a member of this workspace already.' } },
        },
      },
    ])
    await user.click(await screen.findByRole('textbox', { name: 'Email' }))
    await user.paste('bob@example.com')
    await user.click(screen.getByRole('button', { name: 'Invite' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('bob@example.com is a member of this workspace already.')
  })
  it('revokes a pending invitation after confirmation', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'OWNER', [
      members(),
      invites([invite]),
      {
        request: { query: RevokeInviteDocument, variables: { id: 'i1' } },
        result: { data: { revokeInvite: { __typename: 'RevokedInvite', id: 'i1' } } },
      },
      invites(),
    ])
    await user.click(await screen.findByRole('button', { name: 'Revoke invitation of grace@example.com' }))
    await user.click(await screen.findByRole('button', { name: 'Revoke' }))
    expect(await screen.findByText('No pending invitations.')).toBeInTheDocument()
  })
})
