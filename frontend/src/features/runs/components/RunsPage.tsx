import { useQuery } from '@apollo/client/react'
import { Button, Flex, Select, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { LoadError } from '../../../components/LoadError'
import {
  RunRowUpdatesDocument,
  RunsTableDocument,
  type RunStatus,
} from '../../../gql/graphql'
import { RUNS_PAGE } from '../constants'
import { appendPage, applyUpdate } from '../runsList'
import { RunsTable } from './RunsTable'

const STATUSES: readonly RunStatus[] = ['PENDING', 'RUNNING', 'WAITING', 'SUCCEEDED', 'FAILED', 'CANCELLED']
const ALL = 'ALL'

/** The workspace's runs, newest first, filtered by status, paged, and kept live by `runUpdates`. */
export function RunsPage() {
  const [filter, setFilter] = useState<RunStatus | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const { data, loading, error, refetch, fetchMore, subscribeToMore } = useQuery(RunsTableDocument, {
    variables: { status: filter, first: RUNS_PAGE },
  })

  useEffect(
    () =>
      subscribeToMore({
        document: RunRowUpdatesDocument,
        // a change that lands before the first page has nothing to update; the page itself is fresher
        updateQuery: (_, update) =>
          update.complete ? applyUpdate(update.previousData, update.subscriptionData.data.runUpdates, filter) : undefined,
      }),
    [subscribeToMore, filter],
  )

  const runs = useMemo(() => data?.runs.edges.map((edge) => edge.node) ?? [], [data])
  const pageInfo = data?.runs.pageInfo

  async function loadMore() {
    if (!pageInfo?.endCursor) return
    setLoadingMore(true)
    try {
      await fetchMore({
        variables: { after: pageInfo.endCursor },
        updateQuery: (previous, { fetchMoreResult }) => appendPage(previous, fetchMoreResult),
      })
    } finally {
      setLoadingMore(false)
    }
  }

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Runs
        </Typography.Title>
        <Select<string>
          aria-label="Status"
          value={filter ?? ALL}
          style={{ width: 200 }}
          options={[{ value: ALL, label: 'Every status' }, ...STATUSES.map((status) => ({ value: status, label: status }))]}
          onChange={(value) => setFilter(value === ALL ? null : (value as RunStatus))}
        />
      </Flex>
      {error ? (
        <LoadError what="The runs" error={error} onRetry={() => void refetch()} />
      ) : null}
      <RunsTable
        runs={runs}
        loading={loading}
        emptyText={error ? 'Nothing to show.' : filter ? `No ${filter} runs.` : 'No runs yet.'}
      />
      {pageInfo?.hasNextPage ? (
        <Flex justify="center">
          <Button loading={loadingMore} onClick={() => void loadMore()}>
            Load more
          </Button>
        </Flex>
      ) : null}
    </Flex>
  )
}
