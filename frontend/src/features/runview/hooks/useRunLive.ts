import { useApolloClient } from '@apollo/client/react'
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { socketMonitorOf, type SocketMonitor, type SocketStatus } from '../../../app/apollo'
import {
  RunviewEventsDocument,
  RunviewNodeOutputDocument,
  RunviewRunOutputDocument,
  type RunviewRunQuery,
} from '../../../gql/graphql'
import {
  applyEvents,
  isTerminal,
  loadedState,
  pendingOutputs,
  withNodeData,
  withRunOutput,
  type RunEvent,
  type RunViewState,
} from '../runState'

type LoadedRun = NonNullable<RunviewRunQuery['run']>

/** What the view says about its live feed. */
export type LiveStatus = SocketStatus | 'ended' | 'failed'

const NO_MONITOR = {
  subscribe: () => () => undefined,
  getStatus: (): SocketStatus => 'live',
}

function useSocketStatus(monitor: SocketMonitor | undefined): SocketStatus {
  const source = monitor ?? NO_MONITOR
  return useSyncExternalStore(source.subscribe, source.getStatus, source.getStatus)
}

/** Runs `flush` on the next animation frame (or ~16 ms where there are no frames). */
function nextFrame(flush: () => void): () => void {
  if (typeof requestAnimationFrame === 'function') {
    const handle = requestAnimationFrame(flush)
    return () => cancelAnimationFrame(handle)
  }
  const handle = setTimeout(flush, 16)
  return () => clearTimeout(handle)
}

/**
 * The run's view state, kept live: starts from the loaded run, subscribes to `runEvents` after the
 * last seq seen, applies what arrives once per animation frame, and when the socket drops
 * subscribes again after the latest seq (so nothing is missed and nothing doubles).
 */
export function useRunLive(run: LoadedRun | undefined): {
  state: RunViewState | null
  live: LiveStatus
  liveError: string | null
  /** Subscribes again (after a retry made an ended run run again). */
  restart: () => void
} {
  const client = useApolloClient()
  const monitor = socketMonitorOf(client)
  const socket = useSocketStatus(monitor)
  const [state, setState] = useState<RunViewState | null>(null)
  const [loadedFrom, setLoadedFrom] = useState<{ run: LoadedRun; lastSeq: number } | null>(null)
  const [generation, setGeneration] = useState(0)
  const [ended, setEnded] = useState(false)
  const [liveError, setLiveError] = useState<string | null>(null)
  const lastSeq = useRef({ runId: '', seq: 0 })
  const buffer = useRef<RunEvent[]>([])
  const cancelFlush = useRef<(() => void) | null>(null)
  const runId = run?.id

  // a newly loaded run (another id, or the first answer) starts the state afresh
  if (run && run.id !== loadedFrom?.run.id) {
    const loaded = loadedState(run, run.nodeRuns, run.events)
    setLoadedFrom({ run, lastSeq: loaded.lastSeq })
    setState(loaded)
    setEnded(isTerminal(loaded.status))
    setLiveError(null)
  }
  const loadedSeq = loadedFrom?.lastSeq ?? 0

  const flush = useCallback(() => {
    cancelFlush.current = null
    const batch = buffer.current
    buffer.current = []
    if (batch.length > 0) setState((current) => (current ? applyEvents(current, batch) : current))
  }, [])

  useEffect(() => {
    if (!runId || runId !== loadedFrom?.run.id || ended) return
    if (lastSeq.current.runId !== runId) {
      lastSeq.current = { runId, seq: 0 }
      buffer.current = []
    }
    const afterSeq = Math.max(lastSeq.current.seq, loadedSeq)
    lastSeq.current.seq = afterSeq
    const subscription = client
      .subscribe({
        query: RunviewEventsDocument,
        variables: { runId, afterSeq },
        fetchPolicy: 'no-cache',
      })
      .subscribe({
        next: (result) => {
          const event = result.data?.runEvents
          if (result.error) setLiveError(result.error.message)
          if (!event) return
          if (event.type !== 'NODE_DELTA' && event.seq > lastSeq.current.seq) lastSeq.current.seq = event.seq
          buffer.current.push(event)
          cancelFlush.current ??= nextFrame(flush)
        },
        error: (error: unknown) => setLiveError(error instanceof Error ? error.message : String(error)),
        complete: () => setEnded(true),
      })
    return () => subscription.unsubscribe()
  }, [client, runId, loadedFrom, loadedSeq, ended, generation, flush])

  // the socket dropped: subscribe again, after the latest seq, as soon as it is back
  const previousSocket = useRef(socket)
  useEffect(() => {
    if (socket === 'reconnecting' && previousSocket.current !== 'reconnecting') setGeneration((value) => value + 1)
    previousSocket.current = socket
  }, [socket])

  useEffect(() => () => cancelFlush.current?.(), [])

  // inputs and outputs too large for their events (`inputRef`, `outputRef`) are fetched once per
  // node run (or run)
  const requested = useRef(new Set<string>())
  useEffect(() => {
    if (!state || !runId) return
    const pending = pendingOutputs(state)
    for (const { nodeId, iteration } of pending.nodes) {
      const key = `${runId}/${nodeId}#${iteration}`
      if (requested.current.has(key)) continue
      requested.current.add(key)
      void client
        .query({ query: RunviewNodeOutputDocument, variables: { id: runId, nodeId, iteration }, fetchPolicy: 'no-cache' })
        .then((result) => {
          const found = result.data?.run?.nodeRun
          if (found) setState((current) => (current ? withNodeData(current, nodeId, iteration, found) : current))
        })
        .catch((error: unknown) => setLiveError(error instanceof Error ? error.message : String(error)))
    }
    const runKey = `${runId}/output`
    if (pending.run && !requested.current.has(runKey)) {
      requested.current.add(runKey)
      void client
        .query({ query: RunviewRunOutputDocument, variables: { id: runId }, fetchPolicy: 'no-cache' })
        .then((result) => {
          const found = result.data?.run
          if (found) setState((current) => (current ? withRunOutput(current, found.output) : current))
        })
        .catch((error: unknown) => setLiveError(error instanceof Error ? error.message : String(error)))
    }
  }, [client, runId, state])

  const restart = useCallback(() => {
    setEnded(false)
    setGeneration((value) => value + 1)
  }, [])

  const live: LiveStatus = liveError ? 'failed' : ended ? 'ended' : socket
  return { state, live, liveError, restart }
}
