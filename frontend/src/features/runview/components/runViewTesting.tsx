// What the run view's page tests share: jsdom stubs for React Flow, a waiting run, and the page rendered over liveLink.
import type { MockLink } from '@apollo/client/testing'
import { act, screen } from '@testing-library/react'
import { afterAll, beforeAll } from 'vitest'
import type { Session } from '../../auth/api/session'
import {
  RunviewEventsDocument,
  RunviewRunDocument,
  type RunEventType,
  type RunviewRunQuery,
} from '../../../gql/graphql'
import { liveLink } from '../../../test/liveLink'
import { OWNER_SESSION, renderAt } from '../../../test/render'
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
/** Installs, for the file's tests, the browser parts React Flow needs that jsdom lacks. */
export function stubFlowBrowser(): void {
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
}

export const VIEWER: Session = { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role: 'VIEWER' }] }

export function event(seq: number, type: RunEventType, nodeId: string | null = null, data: unknown = {}) {
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

export const SCHEMA = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }

const WAITING_EVENTS = [
  event(1, 'RUN_STARTED', null, { inputs: { name: 'Ada' } }),
  event(2, 'NODE_STARTED', 'greet', { iteration: 0, attempt: 1, input: { name: 'Ada' } }),
  event(3, 'NODE_SUCCEEDED', 'greet', { iteration: 0, output: 'Hello Ada' }),
  event(4, 'NODE_STARTED', 'ask', { iteration: 0, attempt: 1, input: 'Hello Ada' }),
  event(5, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: SCHEMA }),
  event(6, 'RUN_WAITING', null, { nodes: ['ask'] }),
]

export function loaded(): RunviewRunQuery {
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
      cost: { __typename: 'Cost', usd: 0, priced: true },
      createdAt: '2026-12-03T02:00:00Z',
      startedAt: '2026-12-03T02:00:01Z',
      finishedAt: null,
      definition: DEFINITION,
      eventsPrunedAt: null,
      nodeDataPrunedAt: null,
      workflow: { __typename: 'Workflow', id: 'wf1', name: 'Approvals' },
      nodeRuns: [],
      events: WAITING_EVENTS,
    },
  } as RunviewRunQuery
}

export function renderPage(session: Session, extra: MockLink.MockedResponse[] = []) {
  const { link, push } = liveLink([{ request: { query: RunviewRunDocument, variables: { id: 'r1' } }, result: { data: loaded() } }, ...extra])
  renderAt(<RunViewPage />, { path: '/w/default/runs/r1', pattern: '/w/:workspace/runs/:runId', session, link })
  return (...events: ReturnType<typeof event>[]) =>
    act(() => {
      for (const item of events) push(RunviewEventsDocument, { runEvents: item })
    })
}

export async function node(name: string) {
  return screen.findByRole('group', { name })
}

