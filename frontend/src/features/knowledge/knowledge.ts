// Pure helpers of the Knowledge pages: paging, a collection's state in words, problems placed on
// fields, refused files named, JSON typed by a person.
import type { CollectionQuery, KnowledgeCollectionFieldsFragment, KnowledgeCollectionStatsFragment } from '../../gql/graphql'

/** A problem the server reported (createCollection, addDocuments, a refused file). */
export interface KnowledgeProblem {
  code: string
  message: string
  path: string | null
}

/** The collection with the next page of its documents appended (a document already shown is not repeated). */
export function appendDocuments(previous: CollectionQuery, next: CollectionQuery): CollectionQuery {
  if (!previous.collection || !next.collection) return previous
  const seen = new Set(previous.collection.documents.edges.map((edge) => edge.node.id))
  return {
    collection: {
      ...previous.collection,
      documents: {
        ...next.collection.documents,
        edges: [
          ...previous.collection.documents.edges,
          ...next.collection.documents.edges.filter((edge) => !seen.has(edge.node.id)),
        ],
      },
    },
  }
}

/** What a collection is doing, in a word or two, and the tag colour that goes with it. */
export function collectionState(
  collection: Pick<KnowledgeCollectionFieldsFragment, 'reindexing'> & KnowledgeCollectionStatsFragment,
): { label: string; color: string } {
  const { stats } = collection
  if (collection.reindexing) return { label: 're-embedding', color: 'processing' }
  if (stats.pending > 0) return { label: `ingesting ${stats.pending}`, color: 'processing' }
  if (stats.failed > 0) return { label: `${stats.failed} failed`, color: 'warning' }
  if (stats.documents === 0) return { label: 'empty', color: 'default' }
  return { label: 'ready', color: 'success' }
}

/** Whether the collection has work under way (its listing is polled meanwhile). */
export function isBusy(collection: Pick<KnowledgeCollectionFieldsFragment, 'reindexing'> & KnowledgeCollectionStatsFragment): boolean {
  return collection.reindexing || collection.stats.pending > 0
}

/**
 * A server message ("name must not be blank") as a sentence. A message that starts with a name of
 * its own spelling ("wordllama-256 gives…", "notes.docx is…") keeps it: only a plain word is capitalised.
 */
export function sentence(text: string): string {
  return /^[a-z]+\s/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text
}

/**
 * Problems sorted onto the form's fields by their path (`chunking`, `documents[0].metadata` → the
 * field whose name the path starts with); those of no field are left over, for an alert.
 */
export function problemsByField<Field extends string>(
  problems: readonly KnowledgeProblem[],
  place: (path: string) => Field | null,
  /** How a message is written out: as a sentence, unless it may start with a name (a document's). */
  write: (message: string) => string = sentence,
): { fields: Partial<Record<Field, string[]>>; rest: string[] } {
  const fields: Partial<Record<Field, string[]>> = {}
  const rest: string[] = []
  for (const problem of problems) {
    const field = problem.path ? place(problem.path) : null
    const text = write(problem.message)
    if (field) fields[field] = [...(fields[field] ?? []), text]
    else rest.push(text)
  }
  return { fields, rest }
}

/** A refused file: its name (from the problem's `documents[i]` path) and why. */
export interface RefusedFile {
  name: string
  code: string
  message: string
}

/** The files an upload refused, named from the batch that was sent. */
export function refusedFiles(refused: readonly KnowledgeProblem[], sent: readonly { name: string }[]): RefusedFile[] {
  return refused.map((problem) => {
    const index = /^documents\[(\d+)\]/.exec(problem.path ?? '')?.[1]
    const name = index === undefined ? undefined : sent[Number(index)]?.name
    // the message often starts with the file's name, which keeps its own spelling (no capital)
    return { name: name ?? 'A file', code: problem.code, message: problem.message }
  })
}

/** JSON a person typed that must be an object (metadata, a filter): the value, or what is wrong in words. */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (failure) {
    return { error: `This is not JSON: ${failure instanceof Error ? failure.message : String(failure)}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'Give a JSON object, such as {"lang": "en"}.' }
  }
  return { value: value as Record<string, unknown> }
}

/** A size in bytes as people read it: "840 B", "12.5 kB", "3.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}

/** A media type as a short word for the table ("text/markdown" → "Markdown"). */
export function kindOf(mediaType: string): string {
  const kinds: Record<string, string> = {
    'text/plain': 'Text',
    'text/markdown': 'Markdown',
    'text/html': 'HTML',
    'application/pdf': 'PDF',
  }
  return kinds[mediaType] ?? mediaType
}

/**
 * An AutoComplete filter for suggestions: all of them while the field holds one of them (to pick
 * another), else those containing what was typed.
 */
export function suggestionFilter(values: readonly string[]) {
  return (input: string, option?: { value?: unknown }): boolean => {
    const typed = input.trim().toLowerCase()
    if (values.includes(typed)) return true
    return String(option?.value ?? '').toLowerCase().includes(typed)
  }
}
