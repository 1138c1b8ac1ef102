import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { CreateWorkflowDocument, DeleteWorkflowDocument, WorkflowsTableDocument } from '../../../gql/graphql'
import { OWNER_SESSION } from '../../../test/render'
import { WORKFLOWS_PAGE } from '../constants'
import { listing, renderPage, workflow } from '../testing'

describe('WorkflowsPage', () => {
  it('lists the workspace’s workflows with name and version', async () => {
    renderPage([listing([workflow('1', 'Seed', 3), workflow('2', 'Nightly report')])])
    const table = await screen.findByRole('table')
    const seed = await within(table).findByRole('row', { name: /Seed/ })
    expect(within(seed).getByRole('cell', { name: '3' })).toBeInTheDocument()
    expect(within(table).getByRole('row', { name: /Nightly report/ })).toBeInTheDocument()
  })

  it('says so when there are none, and offers to create one', async () => {
    renderPage([listing([])])
    expect(await screen.findByText('No workflows yet. Create one, or import a JSON definition.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'New workflow' })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Import JSON' })).toBeInTheDocument()
  })

  it('filters by name as the person types', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([listing([workflow('1', 'Seed'), workflow('2', 'Nightly report')])])
    await screen.findByRole('row', { name: /Seed/ })
    await user.type(screen.getByRole('searchbox', { name: 'Search workflows' }), 'night')
    expect(screen.queryByRole('row', { name: /Seed/ })).not.toBeInTheDocument()
    expect(screen.getByRole('row', { name: /Nightly report/ })).toBeInTheDocument()
  })

  it('shows a load failure in words with a way to try again', async () => {
    renderPage([
      { request: { query: WorkflowsTableDocument, variables: { first: WORKFLOWS_PAGE } }, error: new Error('Network down') },
    ])
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The workflows could not be loaded')
    expect(alert).toHaveTextContent('Network down')
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument()
  })

  it('shows the server’s problems with a new workflow in words', async () => {
    const user = userEvent.setup({ delay: null })
    const definition = { nodes: [{ id: 'a', type: 'nope' }], edges: [] }
    renderPage([
      listing([]),
      {
        request: { query: CreateWorkflowDocument, variables: { input: { name: 'Broken', definition } } },
        result: {
          data: {
            createWorkflow: {
              __typename: 'InvalidWorkflow',
              problems: [
                { __typename: 'Problem', code: 'UNKNOWN_KIND', message: "unknown node kind 'nope'", path: 'nodes[0].type', nodeId: 'a' },
              ],
            },
          },
        },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'New workflow' }))
    const dialog = await screen.findByRole('dialog', { name: 'New workflow' })
    await user.type(within(dialog).getByLabelText('Name'), 'Broken')
    const field = within(dialog).getByLabelText('Definition (JSON)')
    await user.clear(field)
    await user.click(field)
    await user.paste(JSON.stringify(definition))
    await user.click(within(dialog).getByRole('button', { name: 'Create' }))
    const problems = await within(dialog).findByRole('list', { name: 'Problems' })
    expect(problems).toHaveTextContent("Unknown node kind 'nope' (node “a”, at nodes[0].type)")
  })

  it('refuses a definition that is not JSON before asking the server', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([listing([])])
    await user.click(await screen.findByRole('button', { name: 'New workflow' }))
    const dialog = await screen.findByRole('dialog', { name: 'New workflow' })
    await user.type(within(dialog).getByLabelText('Name'), 'Broken')
    const field = within(dialog).getByLabelText('Definition (JSON)')
    await user.clear(field)
    await user.click(field)
    await user.paste('{nodes')
    await user.click(within(dialog).getByRole('button', { name: 'Create' }))
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The definition is not JSON')
  })

  it('deletes a workflow only after confirmation', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      listing([workflow('1', 'Seed')]),
      {
        request: { query: DeleteWorkflowDocument, variables: { id: '1' } },
        result: { data: { deleteWorkflow: { __typename: 'DeletedWorkflow', id: '1' } } },
      },
      listing([]),
    ])
    await user.click(await screen.findByRole('button', { name: 'Delete Seed' }))
    await user.click(await screen.findByRole('button', { name: 'Keep' }))
    expect(screen.getByRole('row', { name: /Seed/ })).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Delete Seed' }))
    await user.click(await screen.findByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(screen.queryByRole('row', { name: /Seed/ })).not.toBeInTheDocument())
    expect(await screen.findByText('Deleted “Seed”.')).toBeInTheDocument()
  })

  it('offers no editing to a viewer', async () => {
    const viewer = { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role: 'VIEWER' as const }] }
    renderPage([listing([workflow('1', 'Seed')])], viewer)
    await screen.findByRole('row', { name: /Seed/ })
    expect(screen.queryByRole('button', { name: 'New workflow' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Delete Seed' })).not.toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Duplicate Seed' })).not.toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Export Seed' })).toBeInTheDocument()
  })

})
