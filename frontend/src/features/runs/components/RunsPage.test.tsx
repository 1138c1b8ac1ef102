import type { MockLink } from '@apollo/client/testing'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { RunRowUpdatesDocument, RunsTableDocument, type RunStatus } from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { RUNS_PAGE } from '../constants'
import { RunsPage } from './RunsPage'

type TriggerRef = { __typename: 'TriggerRef'; id: string; kind: 'WEBHOOK' | 'SCHEDULE'; name: string | null }

function run(id: string, workflow: string, status: RunStatus, finishedAt: string | null = null, trigger: TriggerRef | null = null) {
  return {
    __typename: 'Run' as const,
    id,
    status,
    error: null,
    createdAt: '2026-12-01T10:00:00Z',
    startedAt: '2026-12-01T10:00:01Z',
    finishedAt,
    workflow: { __typename: 'Workflow' as const, id: `w-${workflow}`, name: workflow },
    trigger,
  }
}

function listing(
  runs: ReturnType<typeof run>[],
  { status = null, after, hasNextPage = false }: { status?: RunStatus | null; after?: string; hasNextPage?: boolean } = {},
): MockLink.MockedResponse {
  const variables = after ? { status, first: RUNS_PAGE, after } : { status, first: RUNS_PAGE }
  return {
    request: { query: RunsTableDocument, variables },
    result: {
      data: {
        runs: {
          __typename: 'RunConnection',
          edges: runs.map((node) => ({ __typename: 'RunEdge', cursor: `c-${node.id}`, node })),
          pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: runs.at(-1) ? `c-${runs.at(-1)?.id}` : null },
        },
      },
    },
  }
}

/** The subscription staying silent (MockLink answers every subscribe with some mock). */
function quiet(): MockLink.MockedResponse {
  return { request: { query: RunRowUpdatesDocument }, result: { data: undefined }, delay: 60_000 }
}

function renderPage(mocks: MockLink.MockedResponse[]) {
  return renderAt(<RunsPage />, { path: '/w/default/runs', pattern: '/w/:workspace/runs', session: OWNER_SESSION, mocks })
}

/** The page over `mocks`, with `runUpdates` delivering what the test pushes, when it pushes it. */
function renderLive(mocks: MockLink.MockedResponse[]) {
  const { link, push } = liveLink(mocks)
  renderAt(<RunsPage />, { path: '/w/default/runs', pattern: '/w/:workspace/runs', session: OWNER_SESSION, link })
  return (changed: ReturnType<typeof run>) => push(RunRowUpdatesDocument, { runUpdates: changed })
}

describe('RunsPage', () => {
  it('lists runs newest first with workflow name and status', async () => {
    renderPage([listing([run('2', 'Nightly', 'RUNNING'), run('1', 'Seed', 'SUCCEEDED', '2026-12-01T10:00:05Z')]), quiet()])
    const table = await screen.findByRole('table')
    const rows = await within(table).findAllByRole('row', { name: /Nightly|Seed/ })
    expect(rows.map((row) => row.textContent)).toEqual([expect.stringMatching(/^NightlyRUNNING/), expect.stringMatching(/^SeedSUCCEEDED/)])
    expect(within(rows[0]).getByLabelText('not yet')).toBeInTheDocument()
    expect(within(rows[1]).getByRole('link', { name: 'Run of Seed, SUCCEEDED' })).toHaveAttribute('href', '/w/default/runs/1')
  })

  it('says which webhook or schedule started a run', async () => {
    const nightly: TriggerRef = { __typename: 'TriggerRef', id: 't1', kind: 'SCHEDULE', name: 'Every night' }
    const gone: TriggerRef = { __typename: 'TriggerRef', id: 't2', kind: 'WEBHOOK', name: null }
    renderPage([listing([run('3', 'Nightly', 'RUNNING', null, nightly), run('2', 'Hook', 'RUNNING', null, gone), run('1', 'Seed', 'RUNNING')]), quiet()])
    expect(await screen.findByRole('row', { name: /Nightly.*Schedule: Every night/ })).toBeInTheDocument()
    expect(screen.getByRole('row', { name: /Hook.*Webhook \(deleted\)/ })).toBeInTheDocument()
    expect(screen.getByRole('row', { name: /Seed.*manually/ })).toBeInTheDocument()
  })

  it('says so when there are no runs', async () => {
    renderPage([listing([]), quiet()])
    expect(await screen.findByText('No runs yet.')).toBeInTheDocument()
  })

  it('filters by status on the server', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      listing([run('2', 'Nightly', 'RUNNING'), run('1', 'Seed', 'FAILED')]),
      quiet(),
      listing([run('1', 'Seed', 'FAILED')], { status: 'FAILED' }),
      quiet(),
    ])
    await screen.findByRole('row', { name: /Nightly/ })
    await user.click(screen.getByRole('combobox', { name: 'Status' }))
    await user.click(await screen.findByTitle('FAILED'))
    expect(await screen.findByRole('row', { name: /Seed/ })).toBeInTheDocument()
    expect(screen.queryByRole('row', { name: /Nightly/ })).not.toBeInTheDocument()
  })

  it('loads older runs after the last cursor', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      listing([run('2', 'Nightly', 'RUNNING')], { hasNextPage: true }),
      quiet(),
      listing([run('1', 'Seed', 'FAILED')], { after: 'c-2' }),
    ])
    await user.click(await screen.findByRole('button', { name: 'Load more' }))
    expect(await screen.findByRole('row', { name: /Seed/ })).toBeInTheDocument()
    expect(screen.getByRole('row', { name: /Nightly/ })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
  })

  it('changes a row’s status live, without a reload', async () => {
    const update = renderLive([listing([run('1', 'Seed', 'WAITING')])])
    const row = await screen.findByRole('row', { name: /Seed/ })
    expect(row).toHaveTextContent('WAITING')
    update(run('1', 'Seed', 'SUCCEEDED', '2026-12-01T10:01:00Z'))
    expect(await within(row).findByText('SUCCEEDED')).toBeInTheDocument()
    expect(within(row).queryByText('WAITING')).not.toBeInTheDocument()
  })

  it('puts a new run first as it starts', async () => {
    const update = renderLive([listing([run('1', 'Seed', 'SUCCEEDED')])])
    await screen.findByRole('row', { name: /Seed/ })
    update(run('2', 'Nightly', 'PENDING'))
    await screen.findByRole('row', { name: /Nightly/ })
    const rows = screen.getAllByRole('row', { name: /Nightly|Seed/ })
    expect(rows[0]).toHaveTextContent('Nightly')
  })
})
