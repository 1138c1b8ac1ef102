import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { DeleteWorkspaceDocument, RenameWorkspaceDocument } from '../../../gql/graphql'
import { renderSettings } from '../testing'

describe('Settings: tabs and General', () => {
  it('shows a viewer no API tokens tab and no way to rename or delete', async () => {
    renderSettings('general', 'VIEWER', [])
    expect(await screen.findByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true')
    expect(screen.getByRole('tab', { name: 'Members' })).toBeInTheDocument()
    expect(screen.getByRole('tab', { name: 'Credentials' })).toBeInTheDocument()
    expect(screen.queryByRole('tab', { name: 'API tokens' })).not.toBeInTheDocument()
    expect(screen.getByText('default')).toBeInTheDocument()
    expect(screen.queryByRole('textbox', { name: 'Workspace name' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete workspace…' })).not.toBeInTheDocument()
  })

  it('gives an owner every tab, the rename field and deletion', async () => {
    renderSettings('general', 'OWNER', [])
    expect(await screen.findByRole('tab', { name: 'API tokens' })).toBeInTheDocument()
    expect(screen.getByRole('textbox', { name: 'Workspace name' })).toHaveValue('Default workspace')
    expect(screen.getByRole('button', { name: 'Delete workspace…' })).toBeInTheDocument()
  })

  it('lets an admin rename but not delete', async () => {
    renderSettings('general', 'ADMIN', [])
    expect(await screen.findByRole('textbox', { name: 'Workspace name' })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete workspace…' })).not.toBeInTheDocument()
  })

  it('sends a viewer who opens the tokens tab by URL back to General', async () => {
    renderSettings('tokens', 'VIEWER', [])
    expect(await screen.findByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true')
    expect(screen.queryByRole('tab', { name: 'API tokens' })).not.toBeInTheDocument()
  })

  it('shows a refused rename in words', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('general', 'OWNER', [
      {
        request: { query: RenameWorkspaceDocument, variables: { name: 'x'.repeat(3) } },
        result: {
          data: { renameWorkspace: { __typename: 'Refused', code: 'INVALID_NAME', message: 'The name must have 4 to 80 characters.' } },
        },
      },
    ])
    const field = await screen.findByRole('textbox', { name: 'Workspace name' })
    await user.clear(field)
    await user.type(field, 'xxx')
    await user.click(screen.getByRole('button', { name: 'Rename' }))
    expect(await screen.findByText('The name must have 4 to 80 characters.')).toBeInTheDocument()
  })

  it('deletes the workspace only once its slug is typed, and says why the server refused', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('general', 'OWNER', [
      {
        request: { query: DeleteWorkspaceDocument, variables: { confirmSlug: 'default' } },
        result: {
          data: { deleteWorkspace: { __typename: 'Refused', code: 'DEFAULT_WORKSPACE', message: 'The default workspace stays.' } },
        },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Delete workspace…' }))
    const confirm = await screen.findByRole('button', { name: 'Delete workspace' })
    expect(confirm).toBeDisabled()
    await user.type(screen.getByRole('textbox', { name: 'Slug to confirm' }), 'defaul')
    expect(confirm).toBeDisabled()
    await user.type(screen.getByRole('textbox', { name: 'Slug to confirm' }), 't')
    await waitFor(() => expect(confirm).toBeEnabled())
    await user.click(confirm)
    expect(await screen.findByText('The default workspace stays.')).toBeInTheDocument()
  })

  it('leaves a deleted workspace for another (here: the account page, the only one left)', async () => {
    const user = userEvent.setup({ delay: null })
    renderSettings('general', 'OWNER', [
      {
        request: { query: DeleteWorkspaceDocument, variables: { confirmSlug: 'default' } },
        result: { data: { deleteWorkspace: { __typename: 'DeletedWorkspace', id: 'w1', slug: 'default', cancelledRuns: 2 } } },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Delete workspace…' }))
    await user.type(await screen.findByRole('textbox', { name: 'Slug to confirm' }), 'default')
    await user.click(screen.getByRole('button', { name: 'Delete workspace' }))
    expect(await screen.findByText('elsewhere')).toBeInTheDocument()
    expect(await screen.findByText('Deleted “default”; 2 unfinished runs were cancelled.')).toBeInTheDocument()
  })
})
