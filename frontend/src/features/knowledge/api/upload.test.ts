import { print } from 'graphql'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { UploadDocumentsDocument } from '../../../gql/graphql'
import { readUploadResponse, uploadDocuments, uploadForm, uploadRequest } from './upload'

const SCOPE = { csrfToken: 'csrf-1', workspace: 'default' }

function files() {
  return [
    new File(['# Kittens\n\nA kitten is a young cat.'], 'kittens.md', { type: 'text/markdown' }),
    new File(['<p>Hello</p>'], 'page.html', { type: 'text/html' }),
  ]
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('uploadForm', () => {
  it('has the operations, the map and one part per file, in that order', () => {
    const [kittens, page] = files()
    const form = uploadForm({ collectionId: 'c1' }, [kittens, page])
    expect([...form.keys()]).toEqual(['operations', 'map', '0', '1'])
    expect(JSON.parse(String(form.get('operations')))).toEqual({
      query: print(UploadDocumentsDocument),
      operationName: 'UploadDocuments',
      variables: { collectionId: 'c1', files: [null, null] },
    })
    expect(JSON.parse(String(form.get('map')))).toEqual({ '0': ['variables.files.0'], '1': ['variables.files.1'] })
    const first = form.get('0')
    const second = form.get('1')
    expect(first).toBeInstanceOf(File)
    expect((first as File).name).toBe('kittens.md')
    expect((second as File).name).toBe('page.html')
    expect((second as File).type).toBe('text/html')
  })

  it('sends the whole UploadDocuments document, fragments included, and the other variables', () => {
    const form = uploadForm({ collectionId: 'c1', metadata: { lang: 'en' } }, files().slice(0, 1))
    const operations = JSON.parse(String(form.get('operations'))) as { query: string; variables: unknown }
    expect(operations.query).toMatch(/^mutation UploadDocuments\(\$collectionId: ID!, \$files: \[Upload!\]!, \$metadata: JSON\)/)
    expect(operations.query).toContain('fragment KnowledgeAdded on AddDocumentsResult')
    expect(operations.query).toContain('fragment KnowledgeDocumentFields on Document')
    expect(operations.variables).toEqual({ collectionId: 'c1', metadata: { lang: 'en' }, files: [null] })
    expect(JSON.parse(String(form.get('map')))).toEqual({ '0': ['variables.files.0'] })
  })
})

describe('uploadRequest', () => {
  it('posts to /graphql with the session’s cookie, the CSRF token and the workspace, and lets fetch set the boundary', () => {
    const { url, init } = uploadRequest(SCOPE, { collectionId: 'c1' }, files())
    expect(url).toBe('/graphql')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('include')
    expect(init.headers).toEqual({ 'X-CSRF-Token': 'csrf-1', 'X-Flowloom-Workspace': 'default' })
    expect(init.body).toBeInstanceOf(FormData)
  })
})

describe('readUploadResponse', () => {
  it('gives the mutation’s result', async () => {
    const result = { __typename: 'AddedDocuments', documents: [], refused: [{ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'x.exe is not…', path: 'documents[0]' }] }
    expect(await readUploadResponse(json(200, { data: { uploadDocuments: result } }))).toEqual({ ok: true, result })
  })

  it('gives a GraphQL error’s message and code', async () => {
    const body = { errors: [{ message: 'a signed-in browser’s POST must carry the x-csrf-token header', extensions: { code: 'CSRF_FAILED' } }] }
    expect(await readUploadResponse(json(403, body))).toEqual({
      ok: false,
      status: 403,
      message: 'a signed-in browser’s POST must carry the x-csrf-token header',
      code: 'CSRF_FAILED',
    })
  })

  it('says what an answer without JSON means', async () => {
    expect(await readUploadResponse(new Response('<html>proxy</html>', { status: 502 }))).toEqual({
      ok: false,
      status: 502,
      message: 'The server answered 502.',
      code: null,
    })
  })
})

describe('uploadDocuments', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('fetches the request and tells the scope when the session may have changed', async () => {
    const fetchMock = vi.fn(async () => json(401, { errors: [{ message: 'authentication required', extensions: { code: 'UNAUTHENTICATED' } }] }))
    vi.stubGlobal('fetch', fetchMock)
    const onSessionChanged = vi.fn()
    const outcome = await uploadDocuments({ ...SCOPE, onSessionChanged }, { collectionId: 'c1' }, files())
    expect(outcome).toMatchObject({ ok: false, status: 401, code: 'UNAUTHENTICATED' })
    expect(onSessionChanged).toHaveBeenCalledOnce()
    expect(fetchMock).toHaveBeenCalledWith('/graphql', expect.objectContaining({ method: 'POST', credentials: 'include' }))
  })
})
