import { Button, Popconfirm, Space, Table, type TableColumnsType } from 'antd'
import type { WorkflowFieldsFragment } from '../../../gql/graphql'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A timestamp from the server in the reader's locale (the raw value when it is not a date). */
function formatUpdated(value: string): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : dateFormat.format(date)
}

/** The workflows of a workspace: name, version, last change, and export/delete per row. */
export function WorkflowsTable({
  workflows,
  loading,
  canEdit,
  deletingId,
  onExport,
  onDelete,
  emptyText,
}: {
  workflows: readonly WorkflowFieldsFragment[]
  loading: boolean
  canEdit: boolean
  deletingId: string | null
  onExport: (workflow: WorkflowFieldsFragment) => void
  onDelete: (workflow: WorkflowFieldsFragment) => void
  emptyText: string
}) {
  const columns: TableColumnsType<WorkflowFieldsFragment> = [
    { title: 'Name', dataIndex: 'name', sorter: (a, b) => a.name.localeCompare(b.name) },
    { title: 'Version', dataIndex: 'version', width: 110, sorter: (a, b) => a.version - b.version },
    {
      title: 'Updated',
      dataIndex: 'updatedAt',
      width: 220,
      defaultSortOrder: 'descend',
      sorter: (a, b) => a.updatedAt.localeCompare(b.updatedAt),
      render: (value: string) => <time dateTime={value}>{formatUpdated(value)}</time>,
    },
    {
      title: 'Actions',
      key: 'actions',
      width: 200,
      render: (_: unknown, workflow) => (
        <Space>
          <Button size="small" aria-label={`Export ${workflow.name}`} onClick={() => onExport(workflow)}>
            Export
          </Button>
          {canEdit ? (
            <Popconfirm
              title={`Delete “${workflow.name}”?`}
              description="Its versions go too; runs already made keep their history."
              okText="Delete"
              okButtonProps={{ danger: true }}
              cancelText="Keep"
              onConfirm={() => onDelete(workflow)}
            >
              <Button
                size="small"
                danger
                aria-label={`Delete ${workflow.name}`}
                loading={deletingId === workflow.id}
              >
                Delete
              </Button>
            </Popconfirm>
          ) : null}
        </Space>
      ),
    },
  ]
  return (
    <Table<WorkflowFieldsFragment>
      aria-label="Workflows"
      rowKey="id"
      columns={columns}
      dataSource={[...workflows]}
      loading={loading}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      locale={{ emptyText }}
    />
  )
}
