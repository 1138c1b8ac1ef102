import { describe, expect, it } from 'vitest'
import type { NodeRunFieldsFragment, RunEventType } from '../../gql/graphql'
import { applyEvents, initialState, loadedState, totalUsage, type RunEvent } from './runState'

const AT = '2026-12-03T02:00:00Z'
const PENDING_RUN = { status: 'PENDING', error: null, output: null, usage: null, startedAt: null, finishedAt: null } as const

function event(seq: number, type: RunEventType, nodeId: string | null = null, data: unknown = {}): RunEvent {
  return { runId: 'r1', seq, type, nodeId, at: `2026-12-03T02:00:${String(seq).padStart(2, '0')}Z`, data }
}

// a chain `a` (template) → `ask` (human) → `b` (llm), as the server records it
const STARTED = [
  event(1, 'RUN_STARTED', null, { inputs: { topic: 'x' } }),
  event(2, 'NODE_STARTED', 'a', { iteration: 0, attempt: 1, input: { topic: 'x' } }),
  event(3, 'NODE_SUCCEEDED', 'a', { iteration: 0, output: 'hello x' }),
  event(4, 'NODE_STARTED', 'ask', { iteration: 0, attempt: 1, input: 'hello x' }),
  event(5, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: { type: 'object' } }),
  event(6, 'RUN_WAITING', null, { nodes: ['ask'] }),
]
const RESUMED = [
  event(7, 'RUN_RESUMED'),
  event(8, 'NODE_SUCCEEDED', 'ask', { iteration: 0, output: { ok: true }, branch: 'submitted' }),
  event(9, 'NODE_STARTED', 'b', { iteration: 0, attempt: 1, input: { ok: true } }),
]
const FINISHED = [
  event(10, 'NODE_SUCCEEDED', 'b', { iteration: 0, output: 'done', usage: { inputTokens: 5, outputTokens: 7, requests: 1 } }),
  event(11, 'RUN_SUCCEEDED', null, { output: { b: 'done' }, usage: { inputTokens: 5, outputTokens: 7, requests: 1 } }),
]
const ALL = [...STARTED, ...RESUMED, ...FINISHED]

describe('runState', () => {
  it('replays a run from seq 1 to its end', () => {
    const state = loadedState(PENDING_RUN, [], ALL)
    expect(state.status).toBe('SUCCEEDED')
    expect(state.lastSeq).toBe(11)
    expect(state.seen.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(state.startedAt).toBe('2026-12-03T02:00:01Z')
    expect(state.finishedAt).toBe('2026-12-03T02:00:11Z')
    expect(state.output).toEqual({ b: 'done' })
    expect(state.nodes.a).toMatchObject({ status: 'SUCCEEDED', output: 'hello x', input: { topic: 'x' }, attempts: 1 })
    expect(state.nodes.ask).toMatchObject({ status: 'SUCCEEDED', output: { ok: true }, branch: 'submitted', schema: null })
    expect(state.nodes.b).toMatchObject({
      status: 'SUCCEEDED',
      usage: { inputTokens: 5, outputTokens: 7, requests: 1 },
      startedAt: '2026-12-03T02:00:09Z',
      finishedAt: '2026-12-03T02:00:10Z',
    })
    expect(state.timeline.map((entry) => `${entry.key} ${entry.status}`)).toEqual([
      'a#0 SUCCEEDED',
      'ask#0 SUCCEEDED',
      'b#0 SUCCEEDED',
    ])
    expect(totalUsage(state)).toEqual({ inputTokens: 5, outputTokens: 7, requests: 1 })
  })

  it('applies live events batch by batch to the same end as a replay', () => {
    let state = initialState(PENDING_RUN)
    for (const batch of [STARTED.slice(0, 2), STARTED.slice(2), RESUMED, FINISHED]) state = applyEvents(state, batch)
    expect(state).toEqual(loadedState(PENDING_RUN, [], ALL))
  })

  it('shows a waiting human node with its question, and the run WAITING', () => {
    const state = loadedState(PENDING_RUN, [], STARTED)
    expect(state.status).toBe('WAITING')
    expect(state.nodes.ask).toMatchObject({ status: 'WAITING', prompt: 'Approve?', schema: { type: 'object' } })
    expect(state.nodes.b).toBeUndefined()
  })

  it('ignores duplicates: a seq already applied changes nothing', () => {
    const state = loadedState(PENDING_RUN, [], STARTED)
    expect(applyEvents(state, STARTED)).toBe(state)
    const again = applyEvents(state, [...STARTED.slice(3), ...RESUMED, ...RESUMED])
    expect(again.seen.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(again.nodes.ask.status).toBe('SUCCEEDED')
  })

  it('holds an early event until the ones before it arrive', () => {
    const state = loadedState(PENDING_RUN, [], STARTED)
    const early = applyEvents(state, [RESUMED[2], RESUMED[1]])
    expect(early.lastSeq).toBe(6)
    expect(early.nodes.ask.status).toBe('WAITING')
    expect(early.nodes.b).toBeUndefined()
    const caught = applyEvents(early, [RESUMED[0]])
    expect(caught.lastSeq).toBe(9)
    expect(caught.seen.map((item) => item.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(caught.early).toEqual({})
    expect(caught).toEqual(loadedState(PENDING_RUN, [], [...STARTED, ...RESUMED]))
  })

  it('resumes after a reconnect: the replay from afterSeq overlaps and nothing doubles or goes missing', () => {
    const before = loadedState(PENDING_RUN, [], STARTED.slice(0, 4))
    expect(before.lastSeq).toBe(4)
    // the new subscription asks for afterSeq = 4; the old one delivered 3 and 4 again meanwhile
    const after = applyEvents(before, [STARTED[2], STARTED[3], ...ALL.filter((item) => item.seq > before.lastSeq)])
    expect(after.seen.map((item) => item.seq)).toEqual(ALL.map((item) => item.seq))
    expect(after).toEqual(loadedState(PENDING_RUN, [], ALL))
  })

  it('appends token deltas to the running node and starts afresh on the next attempt', () => {
    const running = loadedState(PENDING_RUN, [], [...STARTED, ...RESUMED])
    const delta = (text: string) => event(9, 'NODE_DELTA', 'b', { iteration: 0, text })
    const streamed = applyEvents(running, [delta('Hel'), delta('lo'), delta(' world')])
    expect(streamed.nodes.b.text).toBe('Hello world')
    expect(streamed.lastSeq).toBe(9)
    expect(streamed.seen).toHaveLength(9)
    // a delta that repeats an older seq (another node's event went first) still counts
    expect(applyEvents(streamed, [event(7, 'NODE_DELTA', 'b', { iteration: 0, text: '!' })]).nodes.b.text).toBe('Hello world!')
    const retried = applyEvents(streamed, [
      event(10, 'NODE_RETRYING', 'b', { iteration: 0, attempt: 2, error: 'timeout', delaySeconds: 1 }),
      event(11, 'NODE_STARTED', 'b', { iteration: 0, attempt: 2, input: { ok: true } }),
    ])
    expect(retried.nodes.b).toMatchObject({ status: 'RUNNING', attempts: 2, text: '', startedAt: streamed.nodes.b.startedAt })
    const done = applyEvents(retried, [event(12, 'NODE_SUCCEEDED', 'b', { iteration: 0, output: 'Hi' })])
    // a late chunk of a finished node goes nowhere
    expect(applyEvents(done, [event(12, 'NODE_DELTA', 'b', { iteration: 0, text: 'late' })]).nodes.b.text).toBe('')
  })

  it('records failures, skips, the run error and cancellation in words', () => {
    const failed = loadedState(PENDING_RUN, [], [
      event(1, 'RUN_STARTED'),
      event(2, 'NODE_STARTED', 'a', { iteration: 0, attempt: 1, input: null }),
      event(3, 'NODE_FAILED', 'a', { iteration: 0, attempt: 1, error: 'HTTP 500' }),
      event(4, 'NODE_SKIPPED', 'b', { iteration: 0 }),
      event(5, 'RUN_FAILED', null, { error: 'node a failed: HTTP 500' }),
    ])
    expect(failed.status).toBe('FAILED')
    expect(failed.error).toBe('node a failed: HTTP 500')
    expect(failed.nodes.a).toMatchObject({ status: 'FAILED', error: 'HTTP 500' })
    expect(failed.nodes.b.status).toBe('SKIPPED')
    const retried = applyEvents(failed, [event(6, 'RUN_RESUMED')])
    expect(retried).toMatchObject({ status: 'RUNNING', error: null, finishedAt: null })
    expect(applyEvents(retried, [event(7, 'RUN_CANCELLED')]).status).toBe('CANCELLED')
  })

  it('starts a rerun from its reused node runs, which have no events of their own', () => {
    const reused: NodeRunFieldsFragment[] = [
      {
        nodeId: 'a', status: 'SUCCEEDED', iteration: 0, attempts: 1, input: { topic: 'x' }, output: 'hello x',
        error: null, branch: null, usage: null, cost: { usd: 0, priced: true }, startedAt: AT, finishedAt: AT, prunedAt: null,
      },
      {
        nodeId: 'ask', status: 'PENDING', iteration: 0, attempts: 0, input: 'edited', output: null,
        error: null, branch: null, usage: null, cost: { usd: 0, priced: true }, startedAt: null, finishedAt: null, prunedAt: null,
      },
    ]
    const start = initialState(PENDING_RUN, reused)
    expect(start.nodes.a.status).toBe('SUCCEEDED')
    expect(start.nodes.ask).toMatchObject({ status: 'PENDING', input: 'edited' })
    const live = applyEvents(start, [
      event(1, 'RUN_STARTED'),
      event(2, 'NODE_STARTED', 'ask', { iteration: 0, attempt: 1, input: 'edited' }),
      event(3, 'NODE_WAITING', 'ask', { iteration: 0, prompt: 'Approve?', schema: {} }),
    ])
    expect(live.nodes.a.output).toBe('hello x')
    expect(live.nodes.ask.status).toBe('WAITING')
    expect(live.timeline.map((entry) => `${entry.key} ${entry.status}`)).toEqual(['a#0 SUCCEEDED', 'ask#0 WAITING'])
  })

  it('keeps each loop iteration on the timeline and shows the latest on the node', () => {
    const state = loadedState(PENDING_RUN, [], [
      event(1, 'NODE_STARTED', 'loop', { iteration: 0, attempt: 1, input: 1 }),
      event(2, 'NODE_SUCCEEDED', 'loop', { iteration: 0, output: 1 }),
      event(3, 'NODE_STARTED', 'loop', { iteration: 1, attempt: 1, input: 2 }),
    ])
    expect(state.timeline.map((entry) => `${entry.key} ${entry.status}`)).toEqual(['loop#0 SUCCEEDED', 'loop#1 RUNNING'])
    expect(state.nodes.loop).toMatchObject({ iteration: 1, status: 'RUNNING', input: 2, output: null })
  })

  it('keeps the objects of nodes an event does not touch', () => {
    const state = loadedState(PENDING_RUN, [], STARTED)
    const next = applyEvents(state, RESUMED)
    expect(next.nodes.a).toBe(state.nodes.a)
    expect(next.nodes.ask).not.toBe(state.nodes.ask)
  })

  it('adds up what the nodes cost while the run goes on, from their events and their node runs', () => {
    const loaded = initialState({ ...PENDING_RUN, status: 'RUNNING' }, [
      {
        nodeId: 'a', status: 'SUCCEEDED', iteration: 0, attempts: 1, input: null, output: 'x', error: null, branch: null,
        usage: { inputTokens: 2, outputTokens: 3, requests: 1 }, cost: { usd: 0.008, priced: true },
        startedAt: AT, finishedAt: AT, prunedAt: null,
      },
    ])
    expect(loaded.nodes.a.usage).toEqual({ inputTokens: 2, outputTokens: 3, requests: 1, costUsd: 0.008 })
    const state = applyEvents(loaded, [
      event(1, 'NODE_STARTED', 'b', { iteration: 0, attempt: 1, input: 'x' }),
      event(2, 'NODE_SUCCEEDED', 'b', { iteration: 0, output: 'y', usage: { inputTokens: 1, outputTokens: 1, requests: 1, costUsd: 0.002 } }),
    ])
    expect(state.nodes.b.usage?.costUsd).toBe(0.002)
    expect(totalUsage(state)?.costUsd).toBeCloseTo(0.01)
  })
})
