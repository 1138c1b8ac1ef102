import type { MockLink } from '@apollo/client/testing'
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import {
  CreateWorkflowDocument,
  DeleteWorkflowDocument,
  WorkflowsTableDocument,
  WorkflowsTableRunUpdatesDocument,
  type RunStatus,
} from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { WORKFLOWS_PAGE } from '../constants'
import { WorkflowsPage } from './WorkflowsPage'

interface LastRun {
  __typename: 'Run'
  id: string
  status: RunStatus
  createdAt: string
}

function workflow(id: string, name: string, version = 1, lastRun: LastRun | null = null) {
  return {
    __typename: 'Workflow' as const,
    id,
    name,
    version,
    definition: { nodes: [], edges: [] },
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: `2026-12-0${version}T10:00:00Z`,
    lastRun,
  }
}

/** One page of the table's query: after `after`, with more to come when `next` names the cursor. */
function listing(
  nodes: ReturnType<typeof workflow>[],
  { after, next }: { after?: string; next?: string } = {},
): MockLink.MockedResponse {
  return {
    request: { query: WorkflowsTableDocument, variables: after ? { first: WORKFLOWS_PAGE, after } : { first: WORKFLOWS_PAGE } },
    result: {
      data: {
        workflows: {
          __typename: 'WorkflowConnection',
          edges: nodes.map((node) => ({ __typename: 'WorkflowEdge', cursor: node.id, node })),
          pageInfo: { __typename: 'PageInfo', hasNextPage: next !== undefined, endCursor: next ?? null },
        },
      },
    },
  }
}

function renderPage(mocks: MockLink.MockedResponse[], session = OWNER_SESSION) {
  const live = liveLink(mocks)
  renderAt(<WorkflowsPage />, { path: '/w/default/workflows', pattern: '/w/:workspace/workflows', session, link: live.link })
  return live
}

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

  it('links each name to its editor', async () => {
    renderPage([listing([workflow('7', 'Seed')])])
    expect(await screen.findByRole('link', { name: 'Seed' })).toHaveAttribute('href', '/w/default/workflows/7')
  })

  it('keeps each workflow’s last run live', async () => {
    const started = '2026-12-03T01:00:00Z'
    const live = renderPage([
      listing([workflow('1', 'Seed', 1, { __typename: 'Run', id: 'r1', status: 'FAILED', createdAt: '2026-12-02T01:00:00Z' }), workflow('2', 'Nightly report')]),
    ])
    const seed = await screen.findByRole('row', { name: /Seed/ })
    expect(seed).toHaveTextContent('FAILED')
    const nightly = screen.getByRole('row', { name: /Nightly report/ })
    expect(within(nightly).getByLabelText('never run')).toBeInTheDocument()

    const run = (id: string, workflowId: string, status: RunStatus) => ({
      runUpdates: { __typename: 'Run' as const, id, status, createdAt: started, workflow: { __typename: 'Workflow' as const, id: workflowId } },
    })
    live.push(WorkflowsTableRunUpdatesDocument, run('r2', '1', 'RUNNING'))
    await waitFor(() => expect(screen.getByRole('row', { name: /Seed/ })).toHaveTextContent('RUNNING'))
    expect(screen.getByRole('row', { name: /Seed/ })).not.toHaveTextContent('FAILED')
    live.push(WorkflowsTableRunUpdatesDocument, run('r2', '1', 'SUCCEEDED'))
    await waitFor(() => expect(screen.getByRole('row', { name: /Seed/ })).toHaveTextContent('SUCCEEDED'))
    expect(screen.getByRole('row', { name: /Nightly report/ })).toHaveTextContent('—')
  })

  it('duplicates a workflow under a new name with the same definition', async () => {
    const user = userEvent.setup({ delay: null })
    const original = workflow('1', 'Seed')
    renderPage([
      listing([original]),
      {
        request: { query: CreateWorkflowDocument, variables: { input: { name: 'Seed (copy)', definition: original.definition } } },
        result: { data: { createWorkflow: { ...workflow('2', 'Seed (copy)'), lastRun: undefined } } },
      },
      listing([original, workflow('2', 'Seed (copy)')]),
    ])
    await user.click(await screen.findByRole('button', { name: 'Duplicate Seed' }))
    expect(await screen.findByRole('row', { name: /Seed \(copy\)/ })).toBeInTheDocument()
    expect(await screen.findByText('Created “Seed (copy)”.')).toBeInTheDocument()
  })

  it('says in words why a duplicate was refused', async () => {
    const user = userEvent.setup({ delay: null })
    const original = workflow('1', 'Seed')
    renderPage([
      listing([original]),
      {
        request: { query: CreateWorkflowDocument, variables: { input: { name: 'Seed (copy)', definition: original.definition } } },
        result: {
          data: {
            createWorkflow: {
              __typename: 'InvalidWorkflow',
              problems: [{ __typename: 'Problem', code: 'NAME_TAKEN', message: 'the name is taken', path: 'name', nodeId: null }],
            },
          },
        },
      },
    ])
    await user.click(await screen.findByRole('button', { name: 'Duplicate Seed' }))
    expect(await screen.findByText('“Seed” could not be duplicated: The name is taken (the name)')).toBeInTheDocument()
  })

  it('loads the next page when asked', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([listing([workflow('1', 'Seed')], { next: 'c1' }), listing([workflow('2', 'Older one')], { after: 'c1' })])
    await screen.findByRole('row', { name: /Seed/ })
    expect(screen.queryByRole('row', { name: /Older one/ })).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Load more' }))
    expect(await screen.findByRole('row', { name: /Older one/ })).toBeInTheDocument()
    expect(screen.getByRole('row', { name: /Seed/ })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
  })

  it('opens a new blank workflow in the editor', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      listing([]),
      {
        request: { query: CreateWorkflowDocument, variables: { input: { name: 'Fresh', definition: { nodes: [], edges: [] } } } },
        result: { data: { createWorkflow: { ...workflow('9', 'Fresh'), lastRun: undefined } } },
      },
      listing([workflow('9', 'Fresh')]),
    ])
    await user.click(await screen.findByRole('button', { name: 'New workflow' }))
    const dialog = await screen.findByRole('dialog', { name: 'New workflow' })
    await user.type(within(dialog).getByLabelText('Name'), 'Fresh')
    await user.click(within(dialog).getByRole('button', { name: 'Create' }))
    expect(await screen.findByText('elsewhere')).toBeInTheDocument()
  })
})
