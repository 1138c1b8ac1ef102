import { createGraphiQLFetcher, type Fetcher, type Storage } from '@graphiql/toolkit'
import { createClient } from 'graphql-ws'

/** What GraphiQL's requests act with: the session's CSRF token and the workspace's slug. */
export interface GraphiQLScope {
  csrfToken: string
  workspace: string
}

function websocketUrl(): string {
  const url = new URL('/graphql', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

/**
 * GraphiQL's fetcher, scoped like the app's Apollo client: HTTP requests carry `X-CSRF-Token` and
 * `X-Flowloom-Workspace` (the session itself is the HttpOnly cookie, sent to the same origin), and
 * subscriptions go over graphql-ws with `{workspace}` in the connection parameters.
 */
export function createScopedFetcher(scope: GraphiQLScope): Fetcher {
  return createGraphiQLFetcher({
    url: new URL('/graphql', window.location.href).toString(),
    headers: { 'X-CSRF-Token': scope.csrfToken, 'X-Flowloom-Workspace': scope.workspace },
    wsClient: createClient({ url: websocketUrl(), lazy: true, connectionParams: { workspace: scope.workspace } }),
  })
}

/**
 * A storage for GraphiQL's tabs and history that lives as long as the page: the app keeps nothing in
 * browser storage (queries may quote secrets), where GraphiQL would use localStorage by default.
 */
export function memoryStorage(): Storage {
  const items = new Map<string, string>()
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    get length() {
      return items.size
    },
  }
}
