// A link for page tests whose subscriptions deliver exactly when the test says: queries and
// mutations are answered by MockLink, subscription results are pushed by the test. A timed mock
// (`delay`) races the page's first query on a busy machine; a push cannot arrive too early.
import { ApolloLink } from '@apollo/client'
import { MockLink } from '@apollo/client/testing'
import type { TypedDocumentNode } from '@apollo/client'
import { getOperationAST, OperationTypeNode } from 'graphql'
import { ReplaySubject } from 'rxjs'

/** Queries answered by `mocks`; `push(document, data)` delivers one result to that subscription. */
export function liveLink(mocks: MockLink.MockedResponse[]) {
  const streams = new Map<string, ReplaySubject<ApolloLink.Result>>()
  const stream = (name: string) => {
    const found = streams.get(name) ?? new ReplaySubject<ApolloLink.Result>()
    streams.set(name, found)
    return found
  }
  const subscriptions = new ApolloLink((operation) => stream(operation.operationName ?? '').asObservable())
  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    subscriptions,
    new MockLink(mocks),
  )
  function push<TData extends Record<string, unknown>, TVariables>(document: TypedDocumentNode<TData, TVariables>, data: TData) {
    stream(getOperationAST(document)?.name?.value ?? '').next({ data })
  }
  return { link, push }
}
