// The run view's state, from the run as first loaded and its events: a pure reducer (events in,
// view state out). Persisted events apply once each, in seq order: a seq already applied is a
// duplicate and ignored, one that comes early waits until the events before it have arrived.
// NODE_DELTA token chunks are live only and repeat an older seq; they append to the node's text
// while the node runs. An input or output too large to copy into its event arrives as a reference
// (`inputRef`, `outputRef`): the node (or run) keeps it until `withNodeData` (`withRunOutput`) brings
// the value fetched from the node run (the run). Pruned node data (retention) reads as `pruned`.
import type {
  NodeRunFieldsFragment,
  NodeStatus,
  RunEventFieldsFragment,
  RunFieldsFragment,
  RunStatus,
} from '../../gql/graphql'

export type RunEvent = RunEventFieldsFragment
/** Tokens and requests, and what they cost (`costUsd`, from the node run or run, or from its event) once known. */
export type Usage = NonNullable<RunFieldsFragment['usage']> & { readonly costUsd?: number }

/** An input or output held by the node run (or the run), too large to travel in its event: fetch it. */
export interface OutputRef {
  readonly iteration: number
  readonly bytes: number
}

/** What the view knows of one node: its latest iteration. */
export interface NodeView {
  readonly nodeId: string
  readonly status: NodeStatus
  readonly iteration: number
  readonly attempts: number
  readonly input: unknown
  readonly output: unknown
  readonly error: string | null
  readonly branch: string | null
  readonly usage: Usage | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
  /** Token chunks streamed by the running attempt, joined. */
  readonly text: string
  /** A waiting human node's question and the JSON Schema of its answer. */
  readonly prompt: string | null
  readonly schema: unknown
  /** The input is this large and still to be fetched from the node run (`withNodeData`). */
  readonly inputRef: OutputRef | null
  /** The output is this large and still to be fetched from the node run (`withNodeData`). */
  readonly outputRef: OutputRef | null
  /** Retention pruned the input and output: null says nothing about their values. */
  readonly pruned: boolean
}

/** A persisted event as the event log lists it. */
export interface LoggedEvent {
  readonly seq: number
  readonly type: RunEvent['type']
  readonly nodeId: string | null
}

/** One iteration of one node, in the order node runs started. */
export interface TimelineEntry {
  readonly key: string
  readonly nodeId: string
  readonly iteration: number
  readonly status: NodeStatus
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

export interface RunViewState {
  readonly status: RunStatus
  readonly error: string | null
  readonly output: unknown
  /** The run's output is this large and still to be fetched from the run (`withRunOutput`). */
  readonly outputRef: OutputRef | null
  readonly usage: Usage | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
  /** The seq of the newest persisted event applied (the `afterSeq` to resume from). */
  readonly lastSeq: number
  readonly nodes: Readonly<Record<string, NodeView>>
  readonly timeline: readonly TimelineEntry[]
  /** Every persisted event applied, in order (the event log; a duplicate never lands here). */
  readonly seen: readonly LoggedEvent[]
  /** Events that arrived before the ones they follow, by seq, applied once the gap closes. */
  readonly early: Readonly<Record<number, RunEvent>>
}

type RunSnapshot = Pick<RunFieldsFragment, 'status' | 'error' | 'output' | 'usage' | 'startedAt' | 'finishedAt'> & {
  readonly cost?: RunFieldsFragment['cost']
}

/** Usage with its cost, when it cost something. */
function withCost(usage: Usage | null, cost: { readonly usd: number } | undefined): Usage | null {
  return usage && cost?.usd ? { ...usage, costUsd: cost.usd } : usage
}

const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])

/** True once a run can change no more (its event stream has ended). */
export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_RUN.has(status)
}

function emptyNode(nodeId: string): NodeView {
  return {
    nodeId,
    status: 'PENDING',
    iteration: 0,
    attempts: 0,
    input: null,
    output: null,
    error: null,
    branch: null,
    usage: null,
    startedAt: null,
    finishedAt: null,
    text: '',
    prompt: null,
    schema: null,
    inputRef: null,
    outputRef: null,
    pruned: false,
  }
}

function entryKey(nodeId: string, iteration: number): string {
  return `${nodeId}#${iteration}`
}

/**
 * The state before any event: the run's fields and its node runs as loaded (a rerun's reused node
 * runs have no events of their own), nothing applied yet (`lastSeq` 0).
 */
export function initialState(run: RunSnapshot, nodeRuns: readonly NodeRunFieldsFragment[] = []): RunViewState {
  const nodes: Record<string, NodeView> = {}
  const timeline: TimelineEntry[] = []
  for (const row of nodeRuns) {
    nodes[row.nodeId] = {
      ...emptyNode(row.nodeId),
      status: row.status,
      iteration: row.iteration,
      attempts: row.attempts,
      input: row.input,
      output: row.output,
      error: row.error,
      branch: row.branch,
      usage: withCost(row.usage, row.cost),
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      pruned: row.prunedAt != null,
    }
    timeline.push({
      key: entryKey(row.nodeId, row.iteration),
      nodeId: row.nodeId,
      iteration: row.iteration,
      status: row.status,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    })
  }
  return {
    status: run.status,
    error: run.error,
    output: run.output,
    outputRef: null,
    usage: withCost(run.usage, run.cost),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    lastSeq: 0,
    nodes,
    timeline,
    seen: [],
    early: {},
  }
}

function record(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {}
}

function numberIn(data: Record<string, unknown>, key: string): number | null {
  const value = data[key]
  return typeof value === 'number' ? value : null
}

function stringIn(data: Record<string, unknown>, key: string): string | null {
  const value = data[key]
  return typeof value === 'string' ? value : null
}

/** The `outputRef` (`inputRef`) of an event's data, or null when the data carries the value itself. */
function refIn(data: Record<string, unknown>, key: 'outputRef' | 'inputRef', iteration: number): OutputRef | null {
  if (!(key in data)) return null
  return { iteration, bytes: numberIn(record(data[key]), 'bytes') ?? 0 }
}

function usageIn(data: Record<string, unknown>): Usage | null {
  const usage = record(data.usage)
  const inputTokens = numberIn(usage, 'inputTokens')
  const outputTokens = numberIn(usage, 'outputTokens')
  const requests = numberIn(usage, 'requests')
  const costUsd = numberIn(usage, 'costUsd')
  if (inputTokens === null && outputTokens === null && requests === null) return null
  const tokens = { inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, requests: requests ?? 0 }
  return costUsd === null ? tokens : { ...tokens, costUsd }
}

/** The run's token usage: the run's own figure once it succeeded, else what its nodes spent so far. */
export function totalUsage(state: RunViewState): Usage | null {
  if (state.status === 'SUCCEEDED' && state.usage) return state.usage
  const spent = Object.values(state.nodes).flatMap((node) => (node.usage ? [node.usage] : []))
  if (spent.length === 0) return state.usage
  const tokens = spent.reduce((total, usage) => ({
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
    requests: total.requests + usage.requests,
  }))
  const costUsd = spent.reduce((sum, usage) => sum + (usage.costUsd ?? 0), 0)
  return costUsd ? { ...tokens, costUsd } : tokens
}

/** A batch being applied: copies made once per batch, on first write. */
class Draft {
  status: RunStatus
  error: string | null
  output: unknown
  outputRef: OutputRef | null
  usage: Usage | null
  startedAt: string | null
  finishedAt: string | null
  lastSeq: number
  private nodes: Record<string, NodeView> | null = null
  private timeline: TimelineEntry[] | null = null
  private seen: LoggedEvent[] | null = null
  private early: Record<number, RunEvent> | null = null

  private readonly base: RunViewState

  constructor(base: RunViewState) {
    this.base = base
    this.status = base.status
    this.error = base.error
    this.output = base.output
    this.outputRef = base.outputRef
    this.usage = base.usage
    this.startedAt = base.startedAt
    this.finishedAt = base.finishedAt
    this.lastSeq = base.lastSeq
  }

  node(nodeId: string): NodeView {
    return (this.nodes ?? this.base.nodes)[nodeId] ?? emptyNode(nodeId)
  }

  setNode(node: NodeView): void {
    this.nodes ??= { ...this.base.nodes }
    this.nodes[node.nodeId] = node
  }

  /** Adds or updates the timeline entry of the node's current iteration. */
  track(node: NodeView): void {
    const key = entryKey(node.nodeId, node.iteration)
    const entry: TimelineEntry = {
      key,
      nodeId: node.nodeId,
      iteration: node.iteration,
      status: node.status,
      startedAt: node.startedAt,
      finishedAt: node.finishedAt,
    }
    this.timeline ??= [...this.base.timeline]
    const at = this.timeline.findLastIndex((item) => item.key === key)
    if (at >= 0) this.timeline[at] = entry
    else this.timeline.push(entry)
  }

  saw(event: RunEvent): void {
    this.seen ??= [...this.base.seen]
    this.seen.push({ seq: event.seq, type: event.type, nodeId: event.nodeId })
    this.lastSeq = event.seq
  }

  earlyEvents(): Record<number, RunEvent> {
    return this.early ?? this.base.early
  }

  keepEarly(event: RunEvent): void {
    this.early ??= { ...this.base.early }
    this.early[event.seq] = event
  }

  takeEarly(seq: number): RunEvent | undefined {
    const found = this.earlyEvents()[seq]
    if (found) {
      this.early ??= { ...this.base.early }
      delete this.early[seq]
    }
    return found
  }

  result(): RunViewState {
    const unchanged =
      this.nodes === null &&
      this.timeline === null &&
      this.seen === null &&
      this.early === null &&
      this.status === this.base.status &&
      this.error === this.base.error &&
      this.output === this.base.output &&
      this.outputRef === this.base.outputRef &&
      this.usage === this.base.usage &&
      this.startedAt === this.base.startedAt &&
      this.finishedAt === this.base.finishedAt
    if (unchanged) return this.base
    return {
      status: this.status,
      error: this.error,
      output: this.output,
      outputRef: this.outputRef,
      usage: this.usage,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      lastSeq: this.lastSeq,
      nodes: this.nodes ?? this.base.nodes,
      timeline: this.timeline ?? this.base.timeline,
      seen: this.seen ?? this.base.seen,
      early: this.early ?? this.base.early,
    }
  }
}

function applyDelta(draft: Draft, event: RunEvent): void {
  if (!event.nodeId) return
  const data = record(event.data)
  const text = stringIn(data, 'text')
  const node = draft.node(event.nodeId)
  const iteration = numberIn(data, 'iteration') ?? node.iteration
  // chunks of an attempt that is over (or not yet started here) have nowhere to go
  if (text === null || node.status !== 'RUNNING' || iteration !== node.iteration) return
  draft.setNode({ ...node, text: node.text + text })
}

function applyNodeEvent(draft: Draft, event: RunEvent, nodeId: string): void {
  const data = record(event.data)
  const node = draft.node(nodeId)
  const iteration = numberIn(data, 'iteration') ?? node.iteration
  let next: NodeView
  switch (event.type) {
    case 'NODE_STARTED':
      next = {
        ...emptyNode(nodeId),
        status: 'RUNNING',
        iteration,
        attempts: numberIn(data, 'attempt') ?? node.attempts + 1,
        input: 'input' in data ? data.input : 'inputRef' in data ? null : node.input,
        inputRef: refIn(data, 'inputRef', iteration),
        pruned: data.pruned === true,
        startedAt: iteration === node.iteration && node.startedAt && node.status === 'RUNNING' ? node.startedAt : event.at,
      }
      break
    case 'NODE_RETRYING':
      next = { ...node, status: 'RUNNING', iteration, error: stringIn(data, 'error') }
      break
    case 'NODE_SUCCEEDED': {
      const usage = usageIn(data)
      const outputRef = refIn(data, 'outputRef', iteration)
      next = {
        ...node,
        status: 'SUCCEEDED',
        iteration,
        output: data.output ?? null,
        outputRef,
        pruned: data.pruned === true,
        branch: stringIn(data, 'branch'),
        usage,
        error: stringIn(data, 'error'),
        finishedAt: event.at,
        prompt: null,
        schema: null,
      }
      break
    }
    case 'NODE_FAILED':
      next = {
        ...node,
        status: 'FAILED',
        iteration,
        attempts: numberIn(data, 'attempt') ?? node.attempts,
        error: stringIn(data, 'error'),
        finishedAt: event.at,
        prompt: null,
        schema: null,
      }
      break
    case 'NODE_SKIPPED':
      next = { ...emptyNode(nodeId), status: 'SKIPPED', iteration, finishedAt: event.at }
      break
    case 'NODE_WAITING':
      next = { ...node, status: 'WAITING', iteration, prompt: stringIn(data, 'prompt'), schema: data.schema ?? null }
      break
    default:
      return
  }
  draft.setNode(next)
  draft.track(next)
}

function applyRunEvent(draft: Draft, event: RunEvent): void {
  const data = record(event.data)
  switch (event.type) {
    case 'RUN_STARTED':
      draft.status = 'RUNNING'
      draft.startedAt ??= event.at
      break
    case 'RUN_WAITING':
      draft.status = 'WAITING'
      break
    case 'RUN_RESUMED':
      draft.status = 'RUNNING'
      draft.error = null
      draft.finishedAt = null
      break
    case 'RUN_SUCCEEDED':
      draft.status = 'SUCCEEDED'
      // a referenced output: the one loaded with the run when there is one, else fetched later
      draft.outputRef = 'outputRef' in data && draft.output == null ? refIn(data, 'outputRef', 0) : null
      draft.output = 'outputRef' in data ? draft.output : (data.output ?? null)
      draft.usage = usageIn(data) ?? draft.usage
      draft.finishedAt = event.at
      break
    case 'RUN_FAILED':
      draft.status = 'FAILED'
      draft.error = stringIn(data, 'error') ?? draft.error
      draft.finishedAt = event.at
      break
    case 'RUN_CANCELLED':
      draft.status = 'CANCELLED'
      draft.finishedAt = event.at
      break
    default:
      break
  }
}

function applyPersisted(draft: Draft, event: RunEvent): void {
  draft.saw(event)
  if (event.nodeId) applyNodeEvent(draft, event, event.nodeId)
  else applyRunEvent(draft, event)
}

/**
 * The state after `events` (a batch, in the order received). Persisted events with a seq already
 * applied are ignored; one that comes before its predecessors waits for them.
 */
export function applyEvents(state: RunViewState, events: readonly RunEvent[]): RunViewState {
  const draft = new Draft(state)
  for (const event of events) {
    if (event.type === 'NODE_DELTA') {
      applyDelta(draft, event)
      continue
    }
    if (event.seq <= draft.lastSeq || draft.earlyEvents()[event.seq]) continue // a duplicate
    if (event.seq > draft.lastSeq + 1) {
      draft.keepEarly(event)
      continue
    }
    applyPersisted(draft, event)
    for (let waiting = draft.takeEarly(draft.lastSeq + 1); waiting; waiting = draft.takeEarly(draft.lastSeq + 1)) {
      applyPersisted(draft, waiting)
    }
  }
  return draft.result()
}

/**
 * The state of a run as loaded: its snapshot, then its persisted events replayed. Outputs the events
 * only reference, and node data pruned since, are taken from the node runs loaded with them.
 */
export function loadedState(
  run: RunSnapshot,
  nodeRuns: readonly NodeRunFieldsFragment[],
  events: readonly RunEvent[],
): RunViewState {
  let state = applyEvents(initialState(run, nodeRuns), events)
  for (const row of nodeRuns) {
    const node = state.nodes[row.nodeId]
    if (!node || node.iteration !== row.iteration) continue
    if (row.prunedAt != null && !node.pruned) {
      state = replaceNode(state, { ...node, input: null, output: null, inputRef: null, outputRef: null, pruned: true })
    } else if (node.inputRef || node.outputRef) {
      state = withNodeData(state, row.nodeId, row.iteration, row)
    }
  }
  return state
}

function replaceNode(state: RunViewState, node: NodeView): RunViewState {
  return { ...state, nodes: { ...state.nodes, [node.nodeId]: node } }
}

/**
 * The state once a node run's referenced input and output arrived (fetched from the node run); each
 * is ignored unless still awaited for that iteration (the node may have moved on meanwhile).
 */
export function withNodeData(
  state: RunViewState,
  nodeId: string,
  iteration: number,
  fetched: { readonly input?: unknown; readonly output?: unknown },
): RunViewState {
  const node = state.nodes[nodeId]
  if (!node) return state
  const input = node.inputRef?.iteration === iteration && fetched.input != null
  const output = node.outputRef?.iteration === iteration && fetched.output != null
  if (!input && !output) return state
  return replaceNode(state, {
    ...node,
    ...(input ? { input: fetched.input, inputRef: null } : {}),
    ...(output ? { output: fetched.output, outputRef: null } : {}),
  })
}

/** The state once the run's referenced output arrived. */
export function withRunOutput(state: RunViewState, output: unknown): RunViewState {
  if (!state.outputRef) return state
  return { ...state, output, outputRef: null }
}

/** The node runs (and whether the run's output) to fetch: what `inputRef`s and `outputRef`s point at. */
export function pendingOutputs(state: RunViewState): { nodes: { nodeId: string; iteration: number }[]; run: boolean } {
  const nodes = Object.values(state.nodes).flatMap((node) => {
    const ref = node.outputRef ?? node.inputRef
    return ref ? [{ nodeId: node.nodeId, iteration: ref.iteration }] : []
  })
  return { nodes, run: state.outputRef !== null }
}
