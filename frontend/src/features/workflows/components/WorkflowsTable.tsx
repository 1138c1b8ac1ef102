import { Button, Popconfirm, Space, Table, type TableColumnsType } from 'antd'
import { Link } from 'react-router'
import { DateTime } from '../../../components/DateTime'
import type { WorkflowRowFieldsFragment } from '../../../gql/graphql'
import { RunStatusTag } from '../../runs/components/RunStatusTag'

function LastRun({ run }: { run: WorkflowRowFieldsFragment['lastRun'] }) {
  if (!run) return <span aria-label="never run">—</span>
  return (
    <Space size={4}>
      <RunStatusTag status={run.status} />
      <DateTime value={run.createdAt} />
    </Space>
  )
}

/** The workflows of a workspace: name (to the editor), version, last run, last change, and row actions. */
export function WorkflowsTable({
  workspace,
  workflows,
  loading,
  canEdit,
  busyId,
  onExport,
  onDuplicate,
  onDelete,
  emptyText,
}: {
  workspace: string
  workflows: readonly WorkflowRowFieldsFragment[]
  loading: boolean
  canEdit: boolean
  /** The workflow a duplicate or delete is under way for. */
  busyId: string | null
  onExport: (workflow: WorkflowRowFieldsFragment) => void
  onDuplicate: (workflow: WorkflowRowFieldsFragment) => void
  onDelete: (workflow: WorkflowRowFieldsFragment) => void
  emptyText: string
}) {
  const columns: TableColumnsType<WorkflowRowFieldsFragment> = [
    {
      title: 'Name',
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (name: string, workflow) => <Link to={`/w/${workspace}/workflows/${workflow.id}`}>{name}</Link>,
    },
    { title: 'Version', dataIndex: 'version', width: 100, sorter: (a, b) => a.version - b.version },
    {
      title: 'Last run',
      key: 'lastRun',
      width: 230,
      sorter: (a, b) => (a.lastRun?.createdAt ?? '').localeCompare(b.lastRun?.createdAt ?? ''),
      render: (_: unknown, workflow) => <LastRun run={workflow.lastRun} />,
    },
    {
      title: 'Updated',
      dataIndex: 'updatedAt',
      width: 160,
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.updatedAt.localeCompare(b.updatedAt),
      render: (value: string) => <DateTime value={value} />,
    },
    {
      title: 'Actions',
      key: 'actions',
      width: 260,
      render: (_: unknown, workflow) => (
        <Space>
          <Button size="small" aria-label={`Export ${workflow.name}`} onClick={() => onExport(workflow)}>
            Export
          </Button>
          {canEdit ? (
            <>
              <Button
                size="small"
                aria-label={`Duplicate ${workflow.name}`}
                disabled={busyId !== null}
                onClick={() => onDuplicate(workflow)}
              >
                Duplicate
              </Button>
              <Popconfirm
                title={`Delete “${workflow.name}”?`}
                description="Its versions go too; runs already made keep their history."
                okText="Delete"
                okButtonProps={{ danger: true }}
                cancelText="Keep"
                onConfirm={() => onDelete(workflow)}
              >
                <Button size="small" danger aria-label={`Delete ${workflow.name}`} loading={busyId === workflow.id}>
                  Delete
                </Button>
              </Popconfirm>
            </>
          ) : null}
        </Space>
      ),
    },
  ]
  return (
    <Table<WorkflowRowFieldsFragment>
      aria-label="Workflows"
      rowKey="id"
      columns={columns}
      dataSource={workflows}
      loading={loading}
      pagination={false}
      locale={{ emptyText }}
    />
  )
}
