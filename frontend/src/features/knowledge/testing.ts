// Fixtures shared by the Knowledge page tests: a collection, its documents, the page's queries.
import type { MockLink } from '@apollo/client/testing'
import {
  CollectionDocument,
  DocumentProgressDocument,
  KnowledgeCollectionHeaderDocument,
  type DocumentStatus,
} from '../../gql/graphql'
import { DOCUMENTS_PAGE } from './constants'

export const STATS = { __typename: 'CollectionStats' as const, documents: 2, ready: 1, pending: 1, failed: 0, chunks: 3, indexed: false }

export function collection(stats: Partial<typeof STATS> = {}, extra: Record<string, unknown> = {}) {
  return {
    __typename: 'Collection' as const,
    id: 'c1',
    name: 'Handbook',
    description: 'What new people ask',
    model: 'wordllama-256',
    dimension: 256,
    metric: 'COSINE' as const,
    language: 'english',
    chunking: { __typename: 'Chunking' as const, size: 1000, overlap: 100, unit: 'CHARACTERS' as const },
    reindexing: false,
    nextModel: null,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    stats: { ...STATS, ...stats },
    ...extra,
  }
}

export function document(id: string, name: string, status: DocumentStatus, chunkCount = 0) {
  return {
    __typename: 'Document' as const,
    id,
    name,
    mediaType: 'text/markdown',
    size: 2048,
    contentHash: `hash-${id}`,
    metadata: {},
    status,
    error: null,
    chunkCount,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
  }
}

export function header(stats: Partial<typeof STATS> = {}): MockLink.MockedResponse {
  return {
    request: { query: KnowledgeCollectionHeaderDocument, variables: { id: 'c1' } },
    result: { data: { collection: collection(stats) } },
  }
}

export function listing(documents: ReturnType<typeof document>[]): MockLink.MockedResponse {
  const { stats, ...fields } = collection()
  return {
    request: { query: CollectionDocument, variables: { id: 'c1', first: DOCUMENTS_PAGE } },
    result: {
      data: {
        collection: {
          ...fields,
          stats,
          documents: {
            __typename: 'DocumentConnection',
            edges: documents.map((node) => ({ __typename: 'DocumentEdge', cursor: `c-${node.id}`, node })),
            pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: documents.at(-1) ? `c-${documents.at(-1)?.id}` : null },
          },
        },
      },
    },
  }
}

/** One step of `documentProgress`, as the subscription delivers it. */
export function step(documentId: string, name: string, status: DocumentStatus, chunksDone = 0, chunksTotal = 0, error: string | null = null) {
  return {
    documentProgress: {
      __typename: 'DocumentProgress' as const,
      collectionId: 'c1',
      documentId,
      name,
      status,
      chunksDone,
      chunksTotal,
      error,
    },
  }
}

export { DocumentProgressDocument }
