import { describe, expect, it } from 'vitest'
import type { DocumentStatus } from '../../gql/graphql'
import {
  documentRows,
  INITIAL_PROGRESS,
  progressReducer,
  type KnownDocument,
  type ProgressAction,
  type ProgressEvent,
  type ProgressState,
} from './progress'

function doc(id: string, status: DocumentStatus = 'PENDING', extra: Partial<KnownDocument> = {}): KnownDocument {
  return {
    id,
    name: `${id}.md`,
    mediaType: 'text/markdown',
    size: 120,
    contentHash: `hash-${id}`,
    metadata: {},
    status,
    error: null,
    chunkCount: 0,
    createdAt: '2026-12-03T10:00:00Z',
    updatedAt: '2026-12-03T10:00:00Z',
    ...extra,
  }
}

function step(documentId: string, status: DocumentStatus, chunksDone = 0, chunksTotal = 0, error: string | null = null): ProgressEvent {
  return { collectionId: 'c1', documentId, name: `${documentId}.md`, status, chunksDone, chunksTotal, error }
}

const progress = (event: ProgressEvent): ProgressAction => ({ type: 'progress', event })

function fold(actions: ProgressAction[], from: ProgressState = INITIAL_PROGRESS): ProgressState {
  return actions.reduce(progressReducer, from)
}

/** The table's columns that progress changes, per row, in order. */
function table(loaded: KnownDocument[], state: ProgressState) {
  return documentRows(loaded, state).map(({ id, status, chunks, chunksDone, chunksTotal, error }) => ({
    id,
    status,
    chunks,
    chunksDone,
    chunksTotal,
    error,
  }))
}

describe('progressReducer and documentRows', () => {
  it('shows the loaded documents as the server described them when nothing was heard', () => {
    expect(table([doc('a', 'READY', { chunkCount: 3 }), doc('b', 'FAILED', { error: 'b.md has no text' })], INITIAL_PROGRESS)).toEqual([
      { id: 'a', status: 'READY', chunks: 3, chunksDone: 0, chunksTotal: 0, error: null },
      { id: 'b', status: 'FAILED', chunks: null, chunksDone: 0, chunksTotal: 0, error: 'b.md has no text' },
    ])
  })

  it('follows a document from PENDING through PROCESSING to READY', () => {
    const loaded = [doc('a')]
    const processing = fold([progress(step('a', 'PROCESSING', 2, 5))])
    expect(table(loaded, processing)).toEqual([
      { id: 'a', status: 'PROCESSING', chunks: null, chunksDone: 2, chunksTotal: 5, error: null },
    ])
    const ready = fold([progress(step('a', 'PROCESSING', 5, 5)), progress(step('a', 'READY', 5, 5))], processing)
    expect(table(loaded, ready)).toEqual([{ id: 'a', status: 'READY', chunks: 5, chunksDone: 5, chunksTotal: 5, error: null }])
    expect(ready.settled).toBe(1)
  })

  it('shows why a document FAILED', () => {
    const state = fold([progress(step('a', 'PROCESSING')), progress(step('a', 'FAILED', 0, 0, 'a.md has no text'))])
    expect(table([doc('a')], state)).toEqual([
      { id: 'a', status: 'FAILED', chunks: null, chunksDone: 0, chunksTotal: 0, error: 'a.md has no text' },
    ])
    expect(state.settled).toBe(1)
  })

  it('ignores duplicates and late, older steps', () => {
    const ready = fold([progress(step('a', 'PROCESSING', 4, 4)), progress(step('a', 'READY', 4, 4))])
    // the same READY again, a PROCESSING that arrives late, the subscription's PENDING snapshot
    for (const late of [step('a', 'READY', 4, 4), step('a', 'PROCESSING', 2, 4), step('a', 'PENDING')]) {
      expect(progressReducer(ready, progress(late))).toBe(ready)
    }
    const halfway = fold([progress(step('b', 'PROCESSING', 3, 6))])
    expect(progressReducer(halfway, progress(step('b', 'PROCESSING', 1, 6)))).toBe(halfway)
    // a resubscription lists the unfinished document again with no counts: the bar stays where it was
    expect(progressReducer(halfway, progress(step('b', 'PROCESSING', 0, 0)))).toBe(halfway)
    expect(ready.settled).toBe(1)
  })

  it('counts each settled document once, for the stats to be read again', () => {
    const state = fold([
      progress(step('a', 'READY', 1, 1)),
      progress(step('b', 'FAILED', 0, 0, 'broken')),
      progress(step('a', 'READY', 1, 1)),
      progress(step('c', 'PROCESSING', 1, 2)),
    ])
    expect(state.settled).toBe(2)
  })

  it('keeps the server’s state when it is further than what was heard', () => {
    const heard = fold([progress(step('a', 'PROCESSING', 1, 3))])
    // the page was loaded again after the document finished, before its READY arrived
    expect(table([doc('a', 'READY', { chunkCount: 3 })], heard)).toEqual([
      { id: 'a', status: 'READY', chunks: 3, chunksDone: 0, chunksTotal: 0, error: null },
    ])
  })

  it('shows a document whose progress arrives before its upload answers, then its details', () => {
    const early = fold([progress(step('new', 'PROCESSING', 1, 2))])
    expect(documentRows([doc('old', 'READY', { chunkCount: 1 })], early).map((row) => [row.id, row.status, row.size])).toEqual([
      ['new', 'PROCESSING', null],
      ['old', 'READY', 120],
    ])
    const answered = fold([{ type: 'added', documents: [doc('new', 'PENDING', { size: 77 })] }, progress(step('new', 'READY', 2, 2))], early)
    expect(documentRows([doc('old', 'READY', { chunkCount: 1 })], answered).map((row) => [row.id, row.status, row.size, row.chunks])).toEqual([
      ['new', 'READY', 77, 2],
      ['old', 'READY', 120, 1],
    ])
  })

  it('puts added documents first, once, even when a loaded page holds them too', () => {
    const state = fold([
      { type: 'added', documents: [doc('x')] },
      { type: 'added', documents: [doc('y'), doc('x')] },
    ])
    expect(documentRows([doc('old', 'READY')], state).map((row) => row.id)).toEqual(['y', 'x', 'old'])
    expect(documentRows([doc('x'), doc('old', 'READY')], state).map((row) => row.id)).toEqual(['y', 'x', 'old'])
  })

  it('drops a deleted document and any late news of it', () => {
    const state = fold([
      { type: 'added', documents: [doc('a')] },
      progress(step('a', 'PROCESSING', 1, 2)),
      { type: 'removed', id: 'a' },
      progress(step('a', 'READY', 2, 2)),
    ])
    expect(documentRows([doc('a')], state)).toEqual([])
    expect(state.settled).toBe(0)
    expect(progressReducer(state, { type: 'removed', id: 'a' })).toBe(state)
  })
})
