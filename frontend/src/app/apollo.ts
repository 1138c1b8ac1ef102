import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client'
import { ServerError } from '@apollo/client/errors'
import { ErrorLink } from '@apollo/client/link/error'
import { GraphQLWsLink } from '@apollo/client/link/subscriptions'
import { OperationTypeNode } from 'graphql'
import { createClient } from 'graphql-ws'
import introspection from '../gql/possibleTypes'

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

function websocketUrl(): string {
  const url = new URL('/graphql', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.toString()
}

/**
 * The link that names the workspace and carries the CSRF token on every HTTP request. The session
 * itself travels in its HttpOnly cookie: the page never holds a credential of its own.
 */
export function scopeLink(scope: ClientScope): ApolloLink {
  return new ApolloLink((operation, forward) => {
    operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
      headers: {
        ...headers,
        'X-CSRF-Token': scope.csrfToken,
        // no workspace yet (accepting a first invitation): the server picks the person's first one
        ...(scope.workspace ? { 'X-Flowloom-Workspace': scope.workspace } : {}),
      },
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
    new HttpLink({ uri: '/graphql', credentials: 'same-origin' }),
  ])
  const ws = new GraphQLWsLink(
    createClient({
      url: websocketUrl(),
      lazy: true,
      retryAttempts: 5,
      // the cookie authenticates the socket; the payload only says which workspace it acts in
      connectionParams: { workspace: scope.workspace },
      on: {
        closed: (event) => {
          const code = (event as { code?: unknown } | undefined)?.code
          if (typeof code === 'number' && SESSION_CLOSE_CODES.has(code)) scope.onSessionChanged?.()
        },
      },
    }),
  )
  return new ApolloClient({
    link: ApolloLink.split(({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
    cache: createCache(),
  })
}
