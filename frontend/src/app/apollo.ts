import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client'
import { ServerError } from '@apollo/client/errors'
import { ErrorLink } from '@apollo/client/link/error'
import { GraphQLWsLink } from '@apollo/client/link/subscriptions'
import { OperationTypeNode } from 'graphql'
import { createClient } from 'graphql-ws'
import introspection from '../gql/possibleTypes'
import { preloadedQueryLink } from './preloadedQueries'

/** What every request of one client acts with: the session's CSRF token and the workspace's slug. */
export interface ClientScope {
  csrfToken: string
  workspace: string
  /**
   * Called when the server says the session may have changed: an HTTP 401 or 403 (ended session,
   * CSRF refused) or a websocket closed with 4401/4403 (revoked, or a role changed). The app reads
   * `/auth/session` again, which signs the page out or picks up the new role.
   */
  onSessionChanged?: () => void
}

/** Websocket close codes with which the server ends a session's or membership's sockets. */
const SESSION_CLOSE_CODES = new Set([4401, 4403])

/** Where the workspace's websocket is: connecting for the first time, live, or reconnecting after a drop. */
export type SocketStatus = 'connecting' | 'live' | 'reconnecting'

/** The websocket's status, for pages that show it and resubscribe when it comes back. */
export class SocketMonitor {
  status: SocketStatus = 'connecting'
  /** How many times the socket connected (a new number: it came back, subscriptions restart). */
  connections = 0
  private listeners = new Set<() => void>()

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getStatus = (): SocketStatus => this.status

  set(status: SocketStatus): void {
    if (status === 'live') this.connections += 1
    this.status = status
    this.listeners.forEach((listener) => listener())
  }
}

const monitors = new WeakMap<ApolloClient, SocketMonitor>()

/** Makes `monitor` the socket monitor of `client` (createApolloClient does; tests may). */
export function attachSocketMonitor(client: ApolloClient, monitor: SocketMonitor): void {
  monitors.set(client, monitor)
}

/** The socket monitor of a client made by `createApolloClient` (none for a test's client). */
export function socketMonitorOf(client: ApolloClient): SocketMonitor | undefined {
  return monitors.get(client)
}

/** The wait before reconnect attempt `retries` (0 first): 0.5 s doubling to a 4 s cap, with a little jitter. */
export function retryDelayMs(retries: number): number {
  return Math.min(4_000, 500 * 2 ** retries) + Math.floor(Math.random() * 250)
}

function closeCode(event: unknown): number | undefined {
  const code = (event as { code?: unknown } | undefined)?.code
  return typeof code === 'number' ? code : undefined
}

function websocketUrl(): string {
  const url = new URL('/graphql', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

const scopes = new WeakMap<ApolloClient, ClientScope>()

/** The scope a client made by `createApolloClient` acts in (none for a test's client). */
export function scopeOf(client: ApolloClient): ClientScope | undefined {
  return scopes.get(client)
}

/**
 * The headers every HTTP request of `scope` carries: the CSRF token, and the workspace it acts in.
 * The Apollo link adds them; requests the link cannot make (a multipart upload) add the same.
 */
export function scopeHeaders(scope: ClientScope): Record<string, string> {
  return {
    'X-CSRF-Token': scope.csrfToken,
    // no workspace yet (accepting a first invitation): the server picks the person's first one
    ...(scope.workspace ? { 'X-Flowloom-Workspace': scope.workspace } : {}),
  }
}

/**
 * The link that names the workspace and carries the CSRF token on every HTTP request. The session
 * itself travels in its HttpOnly cookie: the page never holds a credential of its own.
 */
export function scopeLink(scope: ClientScope): ApolloLink {
  return new ApolloLink((operation, forward) => {
    operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
      headers: { ...headers, ...scopeHeaders(scope) },
    }))
    return forward(operation)
  })
}

/**
 * The cache, told which types each union holds (from codegen) so `... on X` matches in answers. A
 * human task has no `id`: it is the run's question at one node in one loop iteration; a list of
 * tasks is replaced whole (the Inbox drops answered ones).
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: introspection.possibleTypes,
    typePolicies: {
      HumanTask: { keyFields: ['runId', 'nodeId', 'iteration'] },
      Query: { fields: { humanTasks: { merge: false } } },
    },
  })
}

/** One Apollo client for one workspace: queries and mutations over HTTP, subscriptions over graphql-ws. */
export function createApolloClient(scope: ClientScope): ApolloClient {
  const sessionLink = new ErrorLink(({ error }) => {
    if (ServerError.is(error) && (error.statusCode === 401 || error.statusCode === 403)) scope.onSessionChanged?.()
  })
  const http = ApolloLink.from([
    sessionLink,
    scopeLink(scope),
    preloadedQueryLink(scope.workspace),
    new HttpLink({ uri: '/graphql', credentials: 'same-origin' }),
  ])
  const monitor = new SocketMonitor()
  const ws = new GraphQLWsLink(
    createClient({
      url: websocketUrl(),
      lazy: true,
      // a dropped socket (network, server restart) comes back for as long as the page is open,
      // except when the server ended the session or membership: then the app reads the session again
      retryAttempts: Infinity,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries))),
      shouldRetry: (event) => {
        const code = closeCode(event)
        return code === undefined || !SESSION_CLOSE_CODES.has(code)
      },
      // the cookie authenticates the socket; the payload only says which workspace it acts in
      connectionParams: { workspace: scope.workspace },
      on: {
        connected: () => monitor.set('live'),
        closed: (event) => {
          const code = closeCode(event)
          if (code !== undefined && SESSION_CLOSE_CODES.has(code)) scope.onSessionChanged?.()
          // 1000: closed on purpose (no subscription left; the next one connects afresh); anything
          // else is a drop it recovers from
          monitor.set(code === 1000 ? 'connecting' : 'reconnecting')
        },
      },
    }),
  )
  const client = new ApolloClient({
    link: ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
    cache: createCache(),
  })
  attachSocketMonitor(client, monitor)
  scopes.set(client, scope)
  return client
}
