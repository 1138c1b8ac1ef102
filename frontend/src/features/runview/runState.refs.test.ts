import { describe, expect, it } from 'vitest'
import type { NodeRunFieldsFragment, RunEventType } from '../../gql/graphql'
import { applyEvents, initialState, loadedState, pendingOutputs, withNodeData, withRunOutput, type RunEvent } from './runState'

// Large inputs and outputs travel by reference (`inputRef`/`outputRef`) and are fetched from the node
// run; retention may prune node data, which the view must say rather than show null as a value.

const AT = '2026-12-03T02:00:00Z'
const PENDING_RUN = { status: 'PENDING', error: null, output: null, usage: null, startedAt: null, finishedAt: null } as const
const BIG = 'x'.repeat(100_000)

function event(seq: number, type: RunEventType, nodeId: string | null = null, data: unknown = {}): RunEvent {
  return { runId: 'r1', seq, type, nodeId, at: AT, data }
}

function nodeRun(overrides: Partial<NodeRunFieldsFragment> & { nodeId: string }): NodeRunFieldsFragment {
  return {
    status: 'SUCCEEDED',
    iteration: 0,
    attempts: 1,
    input: null,
    output: null,
    error: null,
    branch: null,
    usage: null,
    startedAt: AT,
    finishedAt: AT,
    prunedAt: null,
    cost: { usd: 0, priced: false },
    ...overrides,
  }
}

// `big` outputs 100 kB, which `small` gets as its input; the run's output holds it again
const EVENTS = [
  event(1, 'RUN_STARTED', null, { inputs: {} }),
  event(2, 'NODE_STARTED', 'big', { iteration: 0, attempt: 1, input: {} }),
  event(3, 'NODE_SUCCEEDED', 'big', { iteration: 0, outputRef: { nodeId: 'big', iteration: 0, bytes: 100_002 } }),
  event(4, 'NODE_STARTED', 'small', { iteration: 0, attempt: 1, inputRef: { nodeId: 'small', iteration: 0, bytes: 100_002 } }),
  event(5, 'NODE_SUCCEEDED', 'small', { iteration: 0, output: 100_000 }),
  event(6, 'RUN_SUCCEEDED', null, { outputRef: { bytes: 100_020 }, usage: { inputTokens: 0, outputTokens: 0, requests: 0 } }),
]

describe('runState with referenced inputs and outputs', () => {
  it('marks live references as pending, and fills them in once fetched', () => {
    const live = applyEvents(initialState(PENDING_RUN), EVENTS)
    expect(live.nodes.big).toMatchObject({ status: 'SUCCEEDED', output: null, outputRef: { iteration: 0, bytes: 100_002 } })
    expect(live.nodes.small).toMatchObject({ input: null, inputRef: { iteration: 0, bytes: 100_002 }, output: 100_000 })
    expect(live).toMatchObject({ status: 'SUCCEEDED', output: null, outputRef: { bytes: 100_020 } })
    expect(pendingOutputs(live)).toEqual({
      nodes: [
        { nodeId: 'big', iteration: 0 },
        { nodeId: 'small', iteration: 0 },
      ],
      run: true,
    })

    let state = withNodeData(live, 'big', 0, { input: {}, output: BIG })
    state = withNodeData(state, 'small', 0, { input: BIG, output: 100_000 })
    state = withRunOutput(state, { small: 100_000 })

    expect(state.nodes.big).toMatchObject({ output: BIG, outputRef: null })
    expect(state.nodes.small).toMatchObject({ input: BIG, inputRef: null, output: 100_000 })
    expect(state).toMatchObject({ output: { small: 100_000 }, outputRef: null })
    expect(pendingOutputs(state)).toEqual({ nodes: [], run: false })
  })

  it('ignores a fetched output for an iteration the node has left', () => {
    const live = applyEvents(initialState(PENDING_RUN), [
      ...EVENTS.slice(0, 3),
      event(4, 'NODE_STARTED', 'big', { iteration: 1, attempt: 1, input: {} }),
    ])
    expect(withNodeData(live, 'big', 0, { output: BIG })).toBe(live)
  })

  it('takes referenced values from the node runs and run loaded with the events, fetching nothing', () => {
    const finished = { ...PENDING_RUN, status: 'SUCCEEDED', output: { small: 100_000 }, startedAt: AT, finishedAt: AT } as const
    const rows = [nodeRun({ nodeId: 'big', input: {}, output: BIG }), nodeRun({ nodeId: 'small', input: BIG, output: 100_000 })]
    const state = loadedState(finished, rows, EVENTS)
    expect(state.nodes.big).toMatchObject({ output: BIG, outputRef: null })
    expect(state.nodes.small).toMatchObject({ input: BIG, inputRef: null })
    expect(state).toMatchObject({ output: { small: 100_000 }, outputRef: null })
    expect(pendingOutputs(state)).toEqual({ nodes: [], run: false })
  })

  it('says a node was pruned when its node run was, whether its events went too or stayed', () => {
    const finished = { ...PENDING_RUN, status: 'SUCCEEDED', startedAt: AT, finishedAt: AT } as const
    const rows = [nodeRun({ nodeId: 'big', prunedAt: AT }), nodeRun({ nodeId: 'small', prunedAt: AT })]
    const withoutEvents = loadedState(finished, rows, [])
    const prunedEvents = [
      event(1, 'RUN_STARTED', null, { inputs: {} }),
      event(2, 'NODE_STARTED', 'big', { iteration: 0, attempt: 1, pruned: true }),
      event(3, 'NODE_SUCCEEDED', 'big', { iteration: 0, pruned: true }),
    ]
    const withEvents = loadedState(finished, rows, prunedEvents)

    for (const state of [withoutEvents, withEvents]) {
      expect(state.nodes.big).toMatchObject({ status: 'SUCCEEDED', input: null, output: null, pruned: true })
      expect(state.nodes.small).toMatchObject({ pruned: true })
      expect(pendingOutputs(state).nodes).toEqual([])
    }
  })
})
