import { Table, type TableColumnsType } from 'antd'
import { DateTime } from '../../../components/DateTime'
import { Link, useParams } from 'react-router'
import type { RunRowFieldsFragment, RunStatus } from '../../../gql/graphql'
import { RunStatusTag } from './RunStatusTag'

/** A timestamp from the server in the reader's locale; a dash while it has not happened. */
function When({ value }: { value: string | null | undefined }) {
  return <DateTime value={value} empty="not yet" exact />
}

/** What started a run: a webhook or schedule by name, or a person (or token) when no trigger did. */
function StartedBy({ trigger }: { trigger: RunRowFieldsFragment['trigger'] }) {
  if (!trigger) return <span>manually</span>
  const kind = trigger.kind === 'WEBHOOK' ? 'Webhook' : 'Schedule'
  return <span>{trigger.name ? `${kind}: ${trigger.name}` : `${kind} (deleted)`}</span>
}

/** Runs newest first: workflow, status, what started it, when it started and finished. */
export function RunsTable({
  runs,
  loading,
  emptyText,
}: {
  runs: readonly RunRowFieldsFragment[]
  loading: boolean
  emptyText: string
}) {
  const { workspace = '' } = useParams()
  const columns: TableColumnsType<RunRowFieldsFragment> = [
    {
      title: 'Workflow',
      key: 'workflow',
      render: (_: unknown, run) => (
        <Link to={`/w/${workspace}/runs/${run.id}`} aria-label={`Run of ${run.workflow.name}, ${run.status}`}>
          {run.workflow.name}
        </Link>
      ),
    },
    {
      title: 'Status',
      dataIndex: 'status',
      width: 140,
      render: (status: RunStatus) => <RunStatusTag status={status} />,
    },
    { title: 'Started by', key: 'trigger', width: 200, render: (_: unknown, run) => <StartedBy trigger={run.trigger} /> },
    { title: 'Started', dataIndex: 'startedAt', width: 240, render: (value: string | null) => <When value={value} /> },
    { title: 'Finished', dataIndex: 'finishedAt', width: 240, render: (value: string | null) => <When value={value} /> },
  ]
  return (
    <Table<RunRowFieldsFragment>
      aria-label="Runs"
      rowKey="id"
      columns={columns}
      dataSource={[...runs]}
      loading={loading}
      pagination={false}
      locale={{ emptyText }}
    />
  )
}
