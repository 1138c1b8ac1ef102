import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { CreateWorkflowDocument, WorkflowsTableRunUpdatesDocument, type RunStatus } from '../../../gql/graphql'
import { listing, renderPage, workflow } from '../testing'
import { STARTER_DEFINITION } from '../constants'

describe('the Workflows table: editor links, last runs, duplicates, paging', () => {
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

  it('opens a new workflow, with a start node, in the editor', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      listing([]),
      {
        request: { query: CreateWorkflowDocument, variables: { input: { name: 'Fresh', definition: STARTER_DEFINITION } } },
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
