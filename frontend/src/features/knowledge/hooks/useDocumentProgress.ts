import { useApolloClient, useSubscription } from '@apollo/client/react'
import { useEffect, useRef, useSyncExternalStore, type Dispatch } from 'react'
import { socketMonitorOf, type SocketStatus } from '../../../app/apollo'
import { DocumentProgressDocument } from '../../../gql/graphql'
import type { ProgressAction } from '../progress'

const NO_MONITOR = { subscribe: () => () => undefined, getStatus: (): SocketStatus => 'live' }

/**
 * Follows the collection's ingestion while the page is open: each `documentProgress` step is
 * dispatched to the page's progress state. The server starts every subscription with the documents
 * still unfinished; steps missed while the socket was down are not replayed, so `onReconnected` reads
 * the documents again once it is back.
 */
export function useDocumentProgress(
  collectionId: string,
  dispatch: Dispatch<ProgressAction>,
  onReconnected: () => void,
): { error: string | null } {
  const { error } = useSubscription(DocumentProgressDocument, {
    variables: { collectionId },
    fetchPolicy: 'no-cache',
    onData: ({ data }) => {
      const event = data.data?.documentProgress
      if (event) dispatch({ type: 'progress', event })
    },
  })

  const monitor = socketMonitorOf(useApolloClient()) ?? NO_MONITOR
  const socket = useSyncExternalStore(monitor.subscribe, monitor.getStatus, monitor.getStatus)
  const previous = useRef(socket)
  const reconnected = useRef(onReconnected)
  useEffect(() => {
    reconnected.current = onReconnected
  })
  useEffect(() => {
    if (socket === 'live' && previous.current === 'reconnecting') reconnected.current()
    previous.current = socket
  }, [socket])

  return { error: error ? error.message : null }
}
