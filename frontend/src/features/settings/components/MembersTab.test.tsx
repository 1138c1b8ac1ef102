import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import {
  ChangeMemberRoleDocument,
  InviteMemberDocument,
  InvitesDocument,
  MembersDocument,
  RevokeInviteDocument,
  type Role,
} from '../../../gql/graphql'
import { renderSettings } from '../testing'

function member(userId: string, email: string, role: Role) {
  return { __typename: 'Member' as const, userId, email, displayName: email.split('@')[0], role, joinedAt: '2026-12-01T10:00:00Z' }
}

const invite = {
  __typename: 'Invite' as const,
  id: 'i1',
  email: 'grace@example.com',
  role: 'EDITOR' as const,
  invitedBy: 'ada@example.com',
  createdAt: '2026-12-02T10:00:00Z',
  expiresAt: '2026-12-09T10:00:00Z',
}

const MEMBERS = [member('u1', 'ada@example.com', 'OWNER'), member('u2', 'bob@example.com', 'OWNER')]
const members = (list = MEMBERS): MockLink.MockedResponse => ({ request: { query: MembersDocument }, result: { data: { members: list } } })
const invites = (list: (typeof invite)[] = []): MockLink.MockedResponse => ({ request: { query: InvitesDocument }, result: { data: { invites: list } } })

describe('Settings: Members', () => {
  it('lists members to a viewer with no controls to change them', async () => {
    renderSettings('members', 'VIEWER', [members()])
    const row = await screen.findByRole('row', { name: /bob@example.com/ })
    expect(within(row).getByText('Owner')).toBeInTheDocument()
    expect(screen.queryByRole('combobox', { name: 'Role of bob@example.com' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Remove bob@example.com' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Invite' })).not.toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Leave workspace' })).toBeInTheDocument()
  })

  it('shows the server’s refusal to demote the last owner in words', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'OWNER', [
      members(),
      invites(),
      {
        request: { query: ChangeMemberRoleDocument, variables: { userId: 'u2', role: 'ADMIN' } },
        result: {
          data: {
            changeMemberRole: {
              __typename: 'Refused',
              code: 'LAST_OWNER',
              message: 'A workspace needs an owner: make someone else owner first, or delete it.',
            },
          },
        },
      },
    ])
    // one's own role is not offered for change: only Bob's
    expect(await screen.findByRole('combobox', { name: 'Role of bob@example.com' })).toBeInTheDocument()
    expect(screen.queryByRole('combobox', { name: 'Role of ada@example.com' })).not.toBeInTheDocument()
    await user.click(screen.getByRole('combobox', { name: 'Role of bob@example.com' }))
    await user.click(await screen.findByTitle('Admin'))
    expect(
      await screen.findByText('A workspace needs an owner: make someone else owner first, or delete it.'),
    ).toBeInTheDocument()
  })

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
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'grace@example.com')
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
    await user.type(await screen.findByRole('textbox', { name: 'Email' }), 'bob@example.com')
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
