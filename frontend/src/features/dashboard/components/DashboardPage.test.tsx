import type { MockLink } from '@apollo/client/testing'
import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CostsDocument,
  DashboardDocument,
  DashboardWorkflowsDocument,
  type CostsQuery,
  type CostsQueryVariables,
  type DashboardQuery,
  type DashboardQueryVariables,
} from '../../../gql/graphql'
import { OWNER_SESSION, renderAt } from '../../../test/render'
import { sinceFor, startOfHour } from '../series'
import DashboardPage from './DashboardPage'

const NOW = Date.parse('2026-12-03T12:30:00Z')
const HOUR = 3_600_000
const FIRST_HOUR = startOfHour(NOW) - 23 * HOUR

type Stats = DashboardQuery['runStats']

function figures(overrides: Partial<Stats> = {}): Stats {
  return {
    __typename: 'RunStats',
    since: new Date(FIRST_HOUR).toISOString(),
    until: new Date(NOW).toISOString(),
    timeZone: 'UTC',
    runs: 8,
    finished: 7,
    failed: 3,
    failureRate: 3 / 7,
    p50DurationSeconds: 25,
    p95DurationSeconds: 85,
    runsPerHour: [
      { __typename: 'HourlyRunCount', hour: new Date(FIRST_HOUR + 2 * HOUR).toISOString(), status: 'SUCCEEDED', runs: 2 },
      { __typename: 'HourlyRunCount', hour: new Date(FIRST_HOUR + 2 * HOUR).toISOString(), status: 'FAILED', runs: 3 },
      { __typename: 'HourlyRunCount', hour: new Date(FIRST_HOUR + 5 * HOUR).toISOString(), status: 'WAITING', runs: 3 },
    ],
    tokensPerDay: [
      { __typename: 'DailyTokenUsage', day: new Date(FIRST_HOUR).toISOString(), inputTokens: 12345, outputTokens: 678, requests: 9 },
    ],
    ...overrides,
  } as Stats
}

/** `runStats` answered with `stats` for the variables `matches` accepts. */
function answer(
  stats: Stats,
  matches: (variables: DashboardQueryVariables) => boolean = (variables) => variables.since === sinceFor('24h', NOW) && !variables.workflowId,
): MockLink.MockedResponse {
  return { request: { query: DashboardDocument, variables: matches }, result: { data: { runStats: stats } } }
}

const WORKFLOWS: MockLink.MockedResponse = {
  request: { query: DashboardWorkflowsDocument },
  result: {
    data: {
      workflows: {
        __typename: 'WorkflowConnection',
        edges: [
          { __typename: 'WorkflowEdge', node: { __typename: 'Workflow', id: 'wf-1', name: 'Nightly' } },
          { __typename: 'WorkflowEdge', node: { __typename: 'Workflow', id: 'wf-2', name: 'Seed' } },
        ],
      },
    },
  },
}

type CostDay = CostsQuery['costs'][number]

/** A day's cost by model, as `costs` answers (the day's cost is its models' sum). */
function costDay(day: string, runs: number, byModel: { model: string; costUsd: number; priced?: boolean }[]): CostDay {
  return {
    __typename: 'CostDay',
    day,
    costUsd: byModel.reduce((sum, model) => sum + model.costUsd, 0),
    inputTokens: 1000,
    outputTokens: 100,
    runs,
    byModel: byModel.map(({ model, costUsd, priced = true }) => ({
      __typename: 'ModelCost',
      model,
      costUsd,
      inputTokens: 500,
      outputTokens: 50,
      priced,
    })),
  } as CostDay
}

/** `costs` answered with `days` for the variables `matches` accepts (by default the UTC days of the last 24 hours). */
function costs(
  days: CostDay[],
  matches: (variables: CostsQueryVariables) => boolean = (variables) =>
    variables.from === '2026-12-02' && variables.to === '2026-12-03' && !variables.workflowId,
): MockLink.MockedResponse {
  return { request: { query: CostsDocument, variables: matches }, result: { data: { costs: days } } }
}

/** Any window costs nothing (the tests of the other figures need an answer, and no cost chart). */
const NO_COSTS: MockLink.MockedResponse = { ...costs([], () => true), maxUsageCount: Number.POSITIVE_INFINITY }

function renderPage(mocks: MockLink.MockedResponse[]) {
  return renderAt(<DashboardPage />, {
    path: '/w/default/dashboard',
    pattern: '/w/:workspace/dashboard',
    session: OWNER_SESSION,
    mocks: [...mocks, WORKFLOWS, NO_COSTS],
  })
}

/** The cells of a figure's table: its headings, then each row's cells. */
function tableOf(figure: HTMLElement): string[][] {
  const [head, ...body] = within(figure).getAllByRole('row')
  return [within(head).getAllByRole('columnheader'), ...body.map((row) => within(row).getAllByRole('cell'))].map((cells) =>
    cells.map((cell) => cell.textContent ?? ''),
  )
}

async function figureCard(name: string) {
  return screen.findByRole('group', { name })
}

describe('DashboardPage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('shows the failure rate and the p95 duration as figures', async () => {
    renderPage([answer(figures())])

    const rate = await figureCard('Failure rate')
    expect(within(rate).getByText('42.9 %')).toBeInTheDocument()
    expect(within(rate).getByText('3 of 7 finished runs failed')).toBeInTheDocument()
    expect(within(await figureCard('p95 duration')).getByText('1 min 25 s')).toBeInTheDocument()
    expect(within(await figureCard('Median duration')).getByText('25 s')).toBeInTheDocument()
  })

  it('draws runs per hour stacked by status, with a table of the hours that had runs', async () => {
    renderPage([answer(figures())])

    const figure = await screen.findByRole('figure', { name: 'Runs per hour by status' })
    const table = within(figure).getByRole('table', { name: 'Runs per hour by status' })
    const headers = within(table).getAllByRole('columnheader').map((cell) => cell.textContent)
    expect(headers).toEqual(['Hour', 'SUCCEEDED', 'FAILED', 'WAITING'])
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((row) => within(row).getAllByRole('cell').slice(1).map((cell) => cell.textContent))).toEqual([
      ['2', '3', '0'],
      ['0', '0', '3'],
    ])
  })

  it('draws tokens per day, with a table of every day', async () => {
    renderPage([answer(figures())])

    const figure = await screen.findByRole('figure', { name: 'Tokens per day' })
    const row = within(figure).getAllByRole('row').find((item) => item.textContent?.includes('12,345'))
    expect(row).toBeDefined()
    expect(within(row as HTMLElement).getAllByRole('cell').map((cell) => cell.textContent).slice(1)).toEqual(['12,345', '678', '9'])
  })

  it('says so when the window has no runs', async () => {
    renderPage([
      answer(figures({ runs: 0, finished: 0, failed: 0, failureRate: null, p50DurationSeconds: null, p95DurationSeconds: null, runsPerHour: [], tokensPerDay: [] })),
    ])

    expect(await screen.findByText('No runs in the last 24 hours.')).toBeInTheDocument()
    expect(within(await figureCard('Failure rate')).getByText('no finished runs')).toBeInTheDocument()
    expect(screen.queryByRole('figure')).not.toBeInTheDocument()
  })

  it('says what failed and loads again on request', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      { request: { query: DashboardDocument, variables: () => true }, error: new Error('the server is down') },
      answer(figures()),
    ])

    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The figures could not be loaded')
    expect(alert).toHaveTextContent('the server is down')
    await user.click(within(alert).getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('figure', { name: 'Runs per hour by status' })).toBeInTheDocument()
  })

  it('asks for the last 7 days when that range is chosen', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      answer(figures()),
      answer(figures({ runs: 99 }), (variables) => variables.since === sinceFor('7d', NOW) && !variables.workflowId),
    ])

    await figureCard('Failure rate')
    await user.click(screen.getByRole('radio', { name: '7 d' }).closest('label') as HTMLElement)
    expect(await within(await figureCard('Runs')).findByText('99')).toBeInTheDocument()
  })

  it('narrows the figures to one workflow', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      answer(figures()),
      answer(figures({ runs: 42 }), (variables) => variables.workflowId === 'wf-1'),
    ])

    await figureCard('Failure rate')
    await user.click(screen.getByRole('combobox', { name: 'Workflow' }))
    await user.click(await screen.findByTitle('Nightly'))
    expect(await within(await figureCard('Runs')).findByText('42')).toBeInTheDocument()
  })

  it('draws cost per day stacked by model, with a table of every UTC day of the window', async () => {
    renderPage([
      answer(figures()),
      costs([
        costDay('2026-12-03', 2, [
          { model: 'openai:gpt-4.1', costUsd: 0.012 },
          { model: 'anthropic:claude-haiku', costUsd: 0.0003 },
        ]),
      ]),
    ])

    const figure = await screen.findByRole('figure', { name: 'Cost per day' })
    expect(tableOf(figure)).toEqual([
      ['Day (UTC)', 'Cost', 'Runs', 'openai:gpt-4.1', 'anthropic:claude-haiku'],
      ['Dec 2', '$0.00', '0', '$0.00', '$0.00'],
      ['Dec 3', '$0.0123', '2', '$0.012', '$0.0003'],
    ])
  })

  it('shows what the window cost in all, over whole UTC days', async () => {
    renderPage([
      answer(figures()),
      costs([
        costDay('2026-12-02', 1, [{ model: 'openai:gpt-4.1', costUsd: 0.5 }]),
        costDay('2026-12-03', 3, [{ model: 'openai:gpt-4.1', costUsd: 1.25 }]),
      ]),
    ])

    const card = await figureCard('Cost')
    expect(within(card).getByText('$1.75')).toBeInTheDocument()
    expect(within(card).getByText('Dec 2 – Dec 3 (UTC)')).toBeInTheDocument()
    expect(within(card).queryByText(/Unpriced/)).not.toBeInTheDocument()
  })

  it('names the models without a price, which count as $0', async () => {
    renderPage([
      answer(figures()),
      costs([
        costDay('2026-12-03', 2, [
          { model: 'openai:gpt-4.1', costUsd: 0.0123 },
          { model: 'ollama:mystery', costUsd: 0, priced: false },
        ]),
      ]),
    ])

    const card = await figureCard('Cost')
    expect(within(card).getByText('$0.0123')).toBeInTheDocument()
    expect(within(card).getByText('Unpriced models, counted as $0: ollama:mystery')).toBeInTheDocument()
    const figure = await screen.findByRole('figure', { name: 'Cost per day' })
    expect(within(figure).getByRole('columnheader', { name: 'ollama:mystery (unpriced)' })).toBeInTheDocument()
  })

  it('says the costs failed without hiding the other figures, and loads them again on request', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      answer(figures()),
      { request: { query: CostsDocument, variables: () => true }, result: { errors: [{ message: 'not allowed to read costs' }] } },
      costs([costDay('2026-12-03', 1, [{ model: 'openai:gpt-4.1', costUsd: 0.0042 }])]),
    ])

    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('The costs could not be loaded')
    expect(alert).toHaveTextContent('not allowed to read costs')
    expect(await screen.findByRole('figure', { name: 'Runs per hour by status' })).toBeInTheDocument()
    expect(screen.queryByRole('group', { name: 'Cost' })).not.toBeInTheDocument()
    await user.click(within(alert).getByRole('button', { name: 'Try again' }))
    expect(await within(await figureCard('Cost')).findByText('$0.0042')).toBeInTheDocument()
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('asks for the costs of the UTC days of the chosen range and workflow', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      answer(figures()),
      answer(figures(), (variables) => variables.since === sinceFor('7d', NOW)),
      answer(figures(), (variables) => variables.workflowId === 'wf-1'),
      costs([costDay('2026-12-03', 1, [{ model: 'm', costUsd: 0.25 }])]),
      costs([costDay('2026-11-27', 1, [{ model: 'm', costUsd: 0.75 }])], (variables) => variables.from === '2026-11-26' && !variables.workflowId),
      costs([costDay('2026-11-27', 1, [{ model: 'm', costUsd: 2 }])], (variables) => variables.from === '2026-11-26' && variables.workflowId === 'wf-1'),
    ])

    expect(await within(await figureCard('Cost')).findByText('$0.25')).toBeInTheDocument()
    await user.click(screen.getByRole('radio', { name: '7 d' }).closest('label') as HTMLElement)
    expect(await within(await figureCard('Cost')).findByText('$0.75')).toBeInTheDocument()
    expect(within(await figureCard('Cost')).getByText('Nov 26 – Dec 3 (UTC)')).toBeInTheDocument()
    await user.click(screen.getByRole('combobox', { name: 'Workflow' }))
    await user.click(await screen.findByTitle('Nightly'))
    expect(await within(await figureCard('Cost')).findByText('$2.00')).toBeInTheDocument()
  })

  it('loads the figures and costs again on Refresh, though the window is the same', async () => {
    const user = userEvent.setup({ delay: null })
    renderPage([
      answer(figures()),
      answer(figures({ runs: 9 })),
      costs([costDay('2026-12-03', 1, [{ model: 'm', costUsd: 0.25 }])]),
      costs([costDay('2026-12-03', 2, [{ model: 'm', costUsd: 0.5 }])]),
    ])

    expect(await within(await figureCard('Cost')).findByText('$0.25')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: /Refresh/ }))
    expect(await within(await figureCard('Cost')).findByText('$0.50')).toBeInTheDocument()
    expect(await within(await figureCard('Runs')).findByText('9')).toBeInTheDocument()
  })
})
