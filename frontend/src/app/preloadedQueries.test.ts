import { ApolloClient, ApolloLink } from '@apollo/client'
import { of } from 'rxjs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EditorWorkflowDocument, type EditorWorkflowQuery } from '../gql/graphql'
import { createCache } from './apollo'
import { preloadedQueryLink, preloadQuery } from './preloadedQueries'

/** The server's answer, `__typename` included (which Apollo asks for and codegen's types leave out). */
function answer(name: string): { data: EditorWorkflowQuery } {
  const workflow = { __typename: 'Workflow', id: 'w1', name, version: 1, definition: { nodes: [], edges: [] }, updatedAt: '2026-12-03T00:00:00Z' }
  return { data: { workflow, nodeKinds: [] } }
}

/** A client whose network is a stub answering "from the network", counting what reaches it. */
function clientOf(workspace: string) {
  const network = vi.fn(() => of(answer('from the network')))
  const client = new ApolloClient({
    link: ApolloLink.from([preloadedQueryLink(workspace), new ApolloLink(network)]),
    cache: createCache(),
  })
  return { client, network }
}

function stubFetch(response: () => Response) {
  const fetched = vi.fn((_url: URL, _init?: RequestInit) => Promise.resolve(response()))
  vi.stubGlobal('fetch', fetched)
  return fetched
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('a query preloaded at start', () => {
  it('is sent at once, as a GET in its workspace, and answers the first identical query without the network', async () => {
    const fetched = stubFetch(() => Response.json(answer('preloaded')))
    preloadQuery(EditorWorkflowDocument, { id: 'w1' }, 'acme')
    expect(fetched).toHaveBeenCalledTimes(1)
    const [url, init] = fetched.mock.calls[0]
    expect(url.pathname).toBe('/graphql')
    expect(url.searchParams.get('query')).toContain('query EditorWorkflow')
    expect(JSON.parse(url.searchParams.get('variables') ?? '')).toEqual({ id: 'w1' })
    expect(init?.method ?? 'GET').toBe('GET')
    expect(init?.headers).toMatchObject({ 'X-Flowloom-Workspace': 'acme' })

    const { client, network } = clientOf('acme')
    const first = await client.query({ query: EditorWorkflowDocument, variables: { id: 'w1' }, fetchPolicy: 'network-only' })
    expect(first.data?.workflow?.name).toBe('preloaded')
    expect(network).not.toHaveBeenCalled()

    // it is used once: asking again goes to the network
    const second = await client.query({ query: EditorWorkflowDocument, variables: { id: 'w1' }, fetchPolicy: 'network-only' })
    expect(second.data?.workflow?.name).toBe('from the network')
    expect(network).toHaveBeenCalledTimes(1)
  })

  it('is not given to another workspace or other variables', async () => {
    stubFetch(() => Response.json(answer('preloaded')))
    preloadQuery(EditorWorkflowDocument, { id: 'w1' }, 'acme')

    const other = clientOf('globex')
    const elsewhere = await other.client.query({ query: EditorWorkflowDocument, variables: { id: 'w1' }, fetchPolicy: 'network-only' })
    expect(elsewhere.data?.workflow?.name).toBe('from the network')

    const same = clientOf('acme')
    const otherWorkflow = await same.client.query({ query: EditorWorkflowDocument, variables: { id: 'w2' }, fetchPolicy: 'network-only' })
    expect(otherWorkflow.data?.workflow?.name).toBe('from the network')
    // the preloaded answer still waits for its own query
    const own = await same.client.query({ query: EditorWorkflowDocument, variables: { id: 'w1' }, fetchPolicy: 'network-only' })
    expect(own.data?.workflow?.name).toBe('preloaded')
  })

  it('leaves the query to the network when the server refused it (signed out)', async () => {
    stubFetch(() => Response.json({ error: { code: 'UNAUTHENTICATED' } }, { status: 401 }))
    preloadQuery(EditorWorkflowDocument, { id: 'w1' }, 'acme')
    const { client, network } = clientOf('acme')
    const result = await client.query({ query: EditorWorkflowDocument, variables: { id: 'w1' }, fetchPolicy: 'network-only' })
    expect(result.data?.workflow?.name).toBe('from the network')
    expect(network).toHaveBeenCalledTimes(1)
  })
})
