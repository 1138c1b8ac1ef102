import { describe, expect, it } from 'vitest'
import { collection, document, listing } from './testing'
import {
  appendDocuments,
  collectionState,
  formatBytes,
  parseJsonObject,
  problemsByField,
  refusedFiles,
  sentence,
  suggestionFilter,
} from './knowledge'
import type { CollectionQuery } from '../../gql/graphql'

function page(ids: string[], hasNextPage: boolean): CollectionQuery {
  const data = (listing(ids.map((id) => document(id, `${id}.md`, 'READY'))).result as { data: CollectionQuery }).data
  const found = data.collection
  if (!found) throw new Error('no collection')
  return { collection: { ...found, documents: { ...found.documents, pageInfo: { hasNextPage, endCursor: ids.at(-1) ?? null } } } }
}

describe('knowledge helpers', () => {
  it('appends a page of documents once, taking the new page info', () => {
    const merged = appendDocuments(page(['a', 'b'], true), page(['b', 'c'], false))
    expect(merged.collection?.documents.edges.map((edge) => edge.node.id)).toEqual(['a', 'b', 'c'])
    expect(merged.collection?.documents.pageInfo).toEqual({ hasNextPage: false, endCursor: 'c' })
  })

  it('says what a collection is doing', () => {
    expect(collectionState(collection({}, { reindexing: true })).label).toBe('re-embedding')
    expect(collectionState(collection({ pending: 2 })).label).toBe('ingesting 2')
    expect(collectionState(collection({ pending: 0, failed: 1 })).label).toBe('1 failed')
    expect(collectionState(collection({ pending: 0, documents: 0 })).label).toBe('empty')
    expect(collectionState(collection({ pending: 0 }))).toEqual({ label: 'ready', color: 'success' })
  })

  it('places problems on the fields their paths name, the rest apart', () => {
    const place = (path: string) => (['name', 'chunking'] as const).find((field) => path.startsWith(field)) ?? null
    expect(
      problemsByField(
        [
          { code: 'INVALID_VALUE', message: 'name must not be blank', path: 'name' },
          { code: 'INVALID_VALUE', message: 'chunk size must be between 50 and 8,000', path: 'chunking' },
          { code: 'INVALID_VALUE', message: 'chunk overlap must be smaller', path: 'chunking' },
          { code: 'X', message: 'something else', path: null },
        ],
        place,
      ),
    ).toEqual({
      fields: { name: ['Name must not be blank'], chunking: ['Chunk size must be between 50 and 8,000', 'Chunk overlap must be smaller'] },
      rest: ['Something else'],
    })
  })

  it('names refused files from the batch that was sent', () => {
    const sent = [{ name: 'a.md' }, { name: 'b.exe' }]
    expect(refusedFiles([{ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'b.exe is not a supported kind', path: 'documents[1]' }], sent)).toEqual([
      { name: 'b.exe', code: 'UNSUPPORTED_MEDIA_TYPE', message: 'b.exe is not a supported kind' },
    ])
    expect(refusedFiles([{ code: 'X', message: 'odd', path: null }], sent)[0].name).toBe('A file')
  })

  it('writes messages as sentences, leaving names that start them as they are', () => {
    expect(sentence('name must not be blank')).toBe('Name must not be blank')
    expect(sentence('wordllama-256 gives 256 dimensions, not 3')).toBe('wordllama-256 gives 256 dimensions, not 3')
    expect(sentence('notes.docx is not a supported kind of document')).toBe('notes.docx is not a supported kind of document')
  })

  it('takes JSON objects only', () => {
    expect(parseJsonObject('{"lang": "en"}')).toEqual({ value: { lang: 'en' } })
    expect(parseJsonObject('[1]')).toEqual({ error: 'Give a JSON object, such as {"lang": "en"}.' })
    expect(parseJsonObject('{lang')).toMatchObject({ error: expect.stringMatching(/^This is not JSON: /) })
  })

  it('writes sizes and filters suggestions as people expect', () => {
    expect([formatBytes(840), formatBytes(12_500), formatBytes(3_200_000)]).toEqual(['840 B', '12.5 kB', '3.2 MB'])
    const filter = suggestionFilter(['simple', 'english'])
    expect(filter('simple', { value: 'english' })).toBe(true)
    expect(filter('eng', { value: 'english' })).toBe(true)
    expect(filter('eng', { value: 'simple' })).toBe(false)
  })
})
