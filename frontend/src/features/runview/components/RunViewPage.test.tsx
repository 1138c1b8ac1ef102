import type { MockLink } from '@apollo/client/testing'
import { act, fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Session } from '../../auth/api/session'
import {
  RunviewEventsDocument,
  RunviewRunDocument,
  SubmitHumanInputDocument,
  type RunEventType,
  type RunviewRunQuery,
} from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { loadSchemaForm, OWNER_SESSION, renderAt } from '../../../test/render'
import RunViewPage from './RunViewPage'

// React Flow measures nodes (a ResizeObserver that reports, offset sizes) and reads
// DOMMatrixReadOnly; jsdom has none of them, and nodes stay hidden until measured
const sizes = Object.getOwnPropertyDescriptors(HTMLElement.prototype)
const QuietObserver = globalThis.ResizeObserver
class ReportingObserver {
  private readonly callback: ResizeObserverCallback
  constructor(callback: ResizeObserverCallback) {
    this.callback = callback
  }
  observe(target: Element): void {
    this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver)
  }
  unobserve(): void {}
  disconnect(): void {}
}
beforeAll(() => {
  globalThis.ResizeObserver = ReportingObserver as unknown as typeof ResizeObserver
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get: () => 60 },
    offsetWidth: { configurable: true, get: () => 200 },
  })
  const svg = SVGElement.prototype as SVGElement & { getBBox?: () => DOMRect }
  svg.getBBox ??= () => ({ x: 0, y: 0, width: 40, height: 16 }) as DOMRect
  globalThis.DOMMatrixReadOnly ??= class {
    m22 = 1
  } as unknown as typeof DOMMatrixReadOnly
})
afterAll(() => {
  globalThis.ResizeObserver = QuietObserver
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: sizes.offsetHeight,
    offsetWidth: sizes.offsetWidth,
  })
})

const VIEWER: Session = { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role: 'VIEWER' }] }

function event(seq: number, type: RunEventType, nodeId: string | null = null, data: unknown = {}) {
  return { __typename: 'RunEvent' as const, runId: 'r1', seq, type, nodeId, at: `2026-12-03T02:00:${String(seq).padStart(2, '0')}Z`, data }
}

const DEFINITION = {
  nodes: [
    { id: 'greet', type: 'template', label: 'Greeting', params: { template: 'Hello {{inputs.name}}' } },
    { id: 'ask', type: 'human', label: 'Approval', params: { prompt: 'Approve?' } },
    { id: 'reply', type: 'template', label: 'Reply', params: { template: 'ok' } },
  ],
  edges: [
    { from: 'greet', to: 'ask' },
    { from: 'ask', to: 'reply', branch: 'submitted' },
  ],
}

const SCHEMA = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }

const WAITING_EVENTS = [
  event(1, 'RUN_STARTED', null, { inputs: { name: 'Ada' } }),
  event(2, 'NODE_STARTED', 'greet', { iteration: 0, attempt: 1, input: { name: 'Ada' } }),
  event(3, 'NODE_SUCCEEDED', 'greet', { iteration: 0, output: 'Hello Ada' }),
  event(4, 'NODE_STARTED', 'ask', { iteration: 0, attempt: 1, input: 'Hello Ada' }),
  event(5, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: SCHEMA }),
  event(6, 'RUN_WAITING', null, { nodes: ['ask'] }),
]

function loaded(): RunviewRunQuery {
  return {
    run: {
      __typename: 'Run',
      id: 'r1',
      status: 'WAITING',
      version: 1,
      inputs: { name: 'Ada' },
      output: null,
      error: null,
      usage: null,
      createdAt: '2026-12-03T02:00:00Z',
      startedAt: '2026-12-03T02:00:01Z',
      finishedAt: null,
      definition: DEFINITION,
      workflow: { __typename: 'Workflow', id: 'wf1', name: 'Approvals' },
      nodeRuns: [],
      events: WAITING_EVENTS,
    },
  } as RunviewRunQuery
}

function renderPage(session: Session, extra: MockLink.MockedResponse[] = []) {
  const { link, push } = liveLink([{ request: { query: RunviewRunDocument, variables: { id: 'r1' } }, result: { data: loaded() } }, ...extra])
  renderAt(<RunViewPage />, { path: '/w/default/runs/r1', pattern: '/w/:workspace/runs/:runId', session, link })
  return (...events: ReturnType<typeof event>[]) =>
    act(() => {
      for (const item of events) push(RunviewEventsDocument, { runEvents: item })
    })
}

async function node(name: string) {
  return screen.findByRole('group', { name })
}

beforeAll(loadSchemaForm)

describe('RunViewPage', () => {
  it('draws the run live: a pushed event turns a node SUCCEEDED, and its panel shows the output', async () => {
    const push = renderPage(OWNER_SESSION)
    expect(await node('Approval (human)')).toHaveTextContent('WAITING')
    expect(await node('Greeting (template)')).toHaveTextContent('SUCCEEDED')
    expect(await node('Reply (template)')).toHaveTextContent('PENDING')
    expect(screen.getByRole('link', { name: 'Approvals' })).toHaveAttribute('href', '/w/default/workflows/wf1')
    expect(screen.getByText('submitted')).toBeInTheDocument()

    push(
      event(7, 'RUN_RESUMED'),
      event(8, 'NODE_SUCCEEDED', 'ask', { iteration: 0, output: { ok: true }, branch: 'submitted' }),
      event(9, 'NODE_STARTED', 'reply', { iteration: 0, attempt: 1, input: { ok: true } }),
      event(10, 'NODE_SUCCEEDED', 'reply', { iteration: 0, output: 'All approved' }),
    )
    const reply = await node('Reply (template)')
    await within(reply).findByText('SUCCEEDED')
    expect(await node('Approval (human)')).toHaveTextContent('SUCCEEDED')

    fireEvent.click(reply)
    const panel = await screen.findByRole('region', { name: 'Node Reply' })
    expect(within(panel).getByRole('group', { name: 'Output' })).toHaveTextContent('"All approved"')
    expect(within(panel).getByRole('group', { name: 'Input' })).toHaveTextContent('ok: true')
  })

  it('answers a waiting human node from its panel and shows the API refusal in words', async () => {
    const user = userEvent.setup()
    renderPage(OWNER_SESSION, [
      {
        request: { query: SubmitHumanInputDocument, variables: { runId: 'r1', nodeId: 'ask', input: { ok: false } } },
        result: {
          data: {
            submitHumanInput: {
              __typename: 'InvalidHumanInput',
              message: 'the input does not match the schema',
              errors: ['ok: must be true'],
            },
          },
        },
      },
    ])
    fireEvent.click(await node('Approval (human)'))
    const form = await screen.findByRole('region', { name: 'Answer' })
    expect(within(form).getByText('Approve?')).toBeInTheDocument()
    await user.click(await within(form).findByRole('button', { name: 'Submit answer' }))
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The answer does not fit the question: the input does not match the schema',
    )
    expect(within(form).getByRole('list', { name: 'Problems' })).toHaveTextContent('ok: must be true')
  })

  it('selects a node from the timeline and lists each applied event once', async () => {
    const user = userEvent.setup()
    const push = renderPage(OWNER_SESSION)
    await node('Greeting (template)')
    await user.click(screen.getByRole('tab', { name: 'Timeline' }))
    const timeline = await screen.findByRole('list', { name: 'Timeline' })
    await user.click(within(timeline).getByRole('button', { name: 'Greeting, iteration 0, SUCCEEDED' }))
    expect(await screen.findByRole('region', { name: 'Node Greeting' })).toHaveTextContent('"Hello Ada"')
    push(event(5, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: SCHEMA }), event(7, 'RUN_RESUMED'))
    await user.click(screen.getByRole('tab', { name: 'Events' }))
    const log = await screen.findByRole('list', { name: 'Events applied' })
    await within(log).findByText('RUN_RESUMED')
    expect(within(log).getAllByRole('listitem').map((item) => item.dataset.seq)).toEqual(['1', '2', '3', '4', '5', '6', '7'])
  })

  it('offers runners Cancel and the answer form, and viewers neither', async () => {
    renderPage(VIEWER)
    fireEvent.click(await node('Approval (human)'))
    await screen.findByRole('region', { name: 'Node Approval' })
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Rerun from this node' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Submit answer' })).toBeNull()
    expect(screen.getByText('Viewers see the question; a runner or above answers it.')).toBeInTheDocument()
  })

  it('shows the owner Cancel and Rerun', async () => {
    renderPage(OWNER_SESSION)
    fireEvent.click(await node('Greeting (template)'))
    expect(await screen.findByRole('button', { name: 'Rerun from this node' })).toBeEnabled()
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument()
  })
})
