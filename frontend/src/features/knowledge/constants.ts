import type { ChunkUnit, DistanceMetric, SearchMode } from '../../gql/graphql'

/** Documents per page of the collection's table. */
export const DOCUMENTS_PAGE = 20

/** The file kinds the server ingests (the file picker offers these; a dropped file of another kind is refused by the server). */
export const ACCEPTED_FILES = '.txt,.md,.pdf,.html'

/** The embedding model that needs no key and no network: the default. */
export const OFFLINE_MODEL = 'wordllama-256'

/** Suggestions for the model field; any openai:<model> or ollama:<model> may be typed. */
export const MODEL_SUGGESTIONS = [
  { value: OFFLINE_MODEL, label: `${OFFLINE_MODEL} (offline, no key)` },
  { value: 'openai:text-embedding-3-small', label: 'openai:text-embedding-3-small' },
  { value: 'openai:text-embedding-3-large', label: 'openai:text-embedding-3-large' },
  { value: 'ollama:nomic-embed-text', label: 'ollama:nomic-embed-text' },
]

/** A few of PostgreSQL's text search configurations; the server names every one it has when another is typed. */
export const LANGUAGE_SUGGESTIONS = ['simple', 'english', 'german', 'french', 'spanish', 'italian', 'dutch', 'portuguese', 'russian'].map(
  (value) => ({ value }),
)

export const METRICS: readonly { value: DistanceMetric; label: string }[] = [
  { value: 'COSINE', label: 'Cosine' },
  { value: 'L2', label: 'Euclidean (L2)' },
  { value: 'INNER_PRODUCT', label: 'Inner product' },
]

export const CHUNK_UNITS: readonly { value: ChunkUnit; label: string }[] = [
  { value: 'CHARACTERS', label: 'characters' },
  { value: 'TOKENS', label: 'tokens' },
]

export const SEARCH_MODES: readonly { value: SearchMode; label: string }[] = [
  { value: 'VECTOR', label: 'Vector' },
  { value: 'KEYWORD', label: 'Keyword' },
  { value: 'HYBRID', label: 'Hybrid' },
]
