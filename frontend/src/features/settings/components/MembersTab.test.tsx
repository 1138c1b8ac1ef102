import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import {
  ChangeMemberRoleDocument,
  LeaveWorkspaceDocument,
  MembersDocument,
} from '../../../gql/graphql'
import { invites, members, renderSettings } from '../testing'

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
  it('shows a load failure in words with a way to try again', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'VIEWER', [{ request: { query: MembersDocument }, error: new Error('Network down') }, members()])
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The members could not be loaded')
    expect(alert).toHaveTextContent('Network down')
    await user.click(within(alert).getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('row', { name: /bob@example.com/ })).toBeInTheDocument()
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })
  it('says why the last owner cannot leave', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('members', 'VIEWER', [
      members(),
      {
        request: { query: LeaveWorkspaceDocument },
        result: {
          data: {
            leaveWorkspace: {
              __typename: 'Refused',
              code: 'LAST_OWNER',
              message: 'A workspace needs an owner: make someone else owner first, or delete it.',
            },
          },
        },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Leave workspace' }))
    await user.click(await screen.findByRole('button', { name: 'Leave' }))
    expect(
      await screen.findByText('A workspace needs an owner: make someone else owner first, or delete it.'),
    ).toBeInTheDocument()
  })
})
