// The collection page's documents, kept live: what the page loaded, what it added itself (uploads,
// texts) and what `documentProgress` reports, folded into the rows of the documents table. Pure:
// events in, table state out; the hook that subscribes only dispatches.
import type {
  DocumentProgressSubscription,
  DocumentStatus,
  KnowledgeDocumentFieldsFragment,
} from '../../gql/graphql'

/** One step of a document's ingestion, as the subscription delivers it. */
export type ProgressEvent = DocumentProgressSubscription['documentProgress']
/** A document as the server describes it (a page of the table's query, or an upload's answer). */
export type KnownDocument = KnowledgeDocumentFieldsFragment

/** The latest ingestion step heard of one document. */
export interface LiveProgress {
  name: string
  status: DocumentStatus
  chunksDone: number
  chunksTotal: number
  error: string | null
}

export interface ProgressState {
  /** Documents this page added (uploads, texts), newest first: the loaded pages may not hold them yet. */
  added: readonly KnownDocument[]
  /** The latest step heard of each document, by id, in the order first heard of. */
  live: Readonly<Record<string, LiveProgress>>
  /** Documents deleted from this page: late news of them is dropped. */
  removed: readonly string[]
  /** How many documents have reached READY or FAILED since the page opened (the stats are read again when it grows). */
  settled: number
}

export type ProgressAction =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'added'; documents: readonly KnownDocument[] }
  | { type: 'removed'; id: string }

/** A row of the documents table. Values the page has not been told yet (a document only heard of) are null. */
export interface DocumentRow {
  id: string
  name: string
  mediaType: string | null
  size: number | null
  status: DocumentStatus
  /** The document's chunks once READY, else null. */
  chunks: number | null
  chunksDone: number
  chunksTotal: number
  error: string | null
  createdAt: string | null
}

export const INITIAL_PROGRESS: ProgressState = { added: [], live: {}, removed: [], settled: 0 }

const RANK: Record<DocumentStatus, number> = { PENDING: 0, PROCESSING: 1, READY: 2, FAILED: 2 }

/** Whether ingestion of a document in `status` is over (READY or FAILED). */
export function isSettled(status: DocumentStatus): boolean {
  return RANK[status] === 2
}

/** Whether `event` tells something newer than `previous` (ingestion only moves forward). */
function isNews(previous: LiveProgress | undefined, event: ProgressEvent): boolean {
  if (!previous) return true
  if (RANK[event.status] !== RANK[previous.status]) return RANK[event.status] > RANK[previous.status]
  // the subscription's first answer lists unfinished documents with no counts; a step already heard
  // of, or an older one arriving late, tells nothing new
  if (event.status !== 'PROCESSING') return false
  if (event.chunksDone !== previous.chunksDone) return event.chunksDone > previous.chunksDone
  return event.chunksTotal > 0 && event.chunksTotal !== previous.chunksTotal
}

/** The state after one action; the same object when nothing changed (no re-render). */
export function progressReducer(state: ProgressState, action: ProgressAction): ProgressState {
  switch (action.type) {
    case 'progress': {
      const { event } = action
      if (state.removed.includes(event.documentId)) return state
      const previous = state.live[event.documentId]
      if (!isNews(previous, event)) return state
      const next: LiveProgress = {
        name: event.name,
        status: event.status,
        chunksDone: event.chunksDone,
        chunksTotal: event.chunksTotal,
        error: event.error,
      }
      const settledNow = isSettled(event.status) && !(previous && isSettled(previous.status))
      return {
        ...state,
        live: { ...state.live, [event.documentId]: next },
        settled: settledNow ? state.settled + 1 : state.settled,
      }
    }
    case 'added': {
      const fresh = action.documents.filter((document) => !state.removed.includes(document.id))
      if (fresh.length === 0) return state
      const ids = new Set(fresh.map((document) => document.id))
      return { ...state, added: [...fresh, ...state.added.filter((document) => !ids.has(document.id))] }
    }
    case 'removed':
      if (state.removed.includes(action.id)) return state
      return { ...state, removed: [...state.removed, action.id] }
  }
}

function row(document: KnownDocument, live: LiveProgress | undefined): DocumentRow {
  const useLive = live !== undefined && RANK[live.status] >= RANK[document.status]
  const status = useLive ? live.status : document.status
  let chunks: number | null = null
  if (status === 'READY') chunks = useLive && live.chunksTotal > 0 ? live.chunksTotal : document.chunkCount
  return {
    id: document.id,
    name: document.name,
    mediaType: document.mediaType,
    size: document.size,
    status,
    chunks,
    chunksDone: useLive ? live.chunksDone : 0,
    chunksTotal: useLive ? live.chunksTotal : 0,
    error: status !== 'FAILED' ? null : (useLive ? live.error : null) ?? document.error,
    createdAt: document.createdAt,
  }
}

/**
 * The rows of the documents table, newest first: documents only heard of through progress (added
 * elsewhere, or whose upload has not answered yet), then those this page added, then the loaded
 * pages; each with its most advanced status, from the server or from progress, whichever is further.
 */
export function documentRows(loaded: readonly KnownDocument[], state: ProgressState): DocumentRow[] {
  const removed = new Set(state.removed)
  const loadedIds = new Set(loaded.map((document) => document.id))
  const known = [...state.added.filter((document) => !loadedIds.has(document.id)), ...loaded].filter(
    (document) => !removed.has(document.id),
  )
  const knownIds = new Set(known.map((document) => document.id))
  const heardOnly = Object.entries(state.live)
    .filter(([id]) => !knownIds.has(id) && !removed.has(id))
    .reverse()
    .map(
      ([id, live]): DocumentRow => ({
        id,
        name: live.name,
        mediaType: null,
        size: null,
        status: live.status,
        chunks: live.status === 'READY' ? live.chunksTotal : null,
        chunksDone: live.chunksDone,
        chunksTotal: live.chunksTotal,
        error: live.status === 'FAILED' ? live.error : null,
        createdAt: null,
      }),
    )
  return [...heardOnly, ...known.map((document) => row(document, state.live[document.id]))]
}
