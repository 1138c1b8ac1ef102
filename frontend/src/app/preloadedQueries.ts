// A query the first page will surely make, sent as the app starts instead of after the session, the
// page's chunk and its first render (about 0.3 s later on a 2-core machine): an editor URL opened
// cold waited for all three before asking for its workflow. The answer is handed to the first
// matching operation of that workspace's Apollo client by `preloadedQueryLink`, so the page still
// reads it through Apollo's cache like any other answer.
//
// It goes as a GET, which the server answers without the CSRF token (GET is query-only there); the
// token only comes with the session, which is what the query no longer waits for.
import { ApolloLink, type TypedDocumentNode } from '@apollo/client'
import { addTypenameToDocument, print } from '@apollo/client/utilities'
import type { FormattedExecutionResult } from 'graphql'
import { Observable } from 'rxjs'

/** How long an answer waits to be taken: past this the page did not ask for it, and it is dropped. */
const KEEP_MS = 15_000

const pending = new Map<string, Promise<FormattedExecutionResult | null>>()

function keyOf(workspace: string, query: string, variables: Record<string, unknown>): string {
  return JSON.stringify([workspace, query, variables])
}

function isExecutionResult(value: unknown): value is FormattedExecutionResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return 'data' in value || 'errors' in value
}

/**
 * Sends `document` with `variables` in `workspace` now; the answer waits for the client's first
 * identical operation. The text sent is what Apollo sends for it (`__typename` added, same printer),
 * so the two are recognised as one. A failed or refused request leaves the operation to the network.
 */
export function preloadQuery<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  workspace: string,
): void {
  const query = print(addTypenameToDocument(document))
  const url = new URL('/graphql', window.location.origin)
  url.searchParams.set('query', query)
  url.searchParams.set('variables', JSON.stringify(variables))
  const key = keyOf(workspace, query, variables)
  const answer = fetch(url, {
    credentials: 'same-origin',
    headers: { Accept: 'application/graphql-response+json, application/json', 'X-Flowloom-Workspace': workspace },
  })
    .then(async (response) => {
      if (!response.ok) return null
      const body: unknown = await response.json()
      return isExecutionResult(body) ? body : null
    })
    .catch(() => null)
  pending.set(key, answer)
  window.setTimeout(() => {
    if (pending.get(key) === answer) pending.delete(key)
  }, KEEP_MS)
}

/** Answers an operation of `workspace`'s client from its preloaded request, once; the rest go on. */
export function preloadedQueryLink(workspace: string): ApolloLink {
  return new ApolloLink((operation, forward) => {
    if (pending.size === 0) return forward(operation)
    const key = keyOf(workspace, print(operation.query), operation.variables)
    const answer = pending.get(key)
    if (!answer) return forward(operation)
    pending.delete(key)
    return new Observable<ApolloLink.Result>((observer) => {
      let rest: { unsubscribe: () => void } | null = null
      let closed = false
      void answer.then((result) => {
        if (closed) return
        if (result) {
          observer.next(result)
          observer.complete()
        } else {
          rest = forward(operation).subscribe(observer)
        }
      })
      return () => {
        closed = true
        rest?.unsubscribe()
      }
    })
  })
}
