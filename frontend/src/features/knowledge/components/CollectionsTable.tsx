import { Button, Popconfirm, Table, Tag, type TableColumnsType } from 'antd'
import { Link } from 'react-router'
import type { CollectionsQuery } from '../../../gql/graphql'
import { collectionState } from '../knowledge'

export type CollectionRow = CollectionsQuery['collections'][number]

/** The workspace's collections: name (to the collection's page), model, size, state, and delete. */
export function CollectionsTable({
  workspace,
  collections,
  loading,
  canEdit,
  busyId,
  onDelete,
  emptyText,
}: {
  workspace: string
  collections: readonly CollectionRow[]
  loading: boolean
  canEdit: boolean
  /** The collection a delete is under way for. */
  busyId: string | null
  onDelete: (collection: CollectionRow) => void
  emptyText: string
}) {
  const columns: TableColumnsType<CollectionRow> = [
    {
      title: 'Name',
      dataIndex: 'name',
      sorter: (a, b) => a.name.localeCompare(b.name),
      render: (name: string, collection) => <Link to={`/w/${workspace}/knowledge/${collection.id}`}>{name}</Link>,
    },
    { title: 'Model', dataIndex: 'model' },
    { title: 'Dimension', dataIndex: 'dimension', width: 110, align: 'right' },
    {
      title: 'Documents',
      key: 'documents',
      width: 120,
      align: 'right',
      sorter: (a, b) => a.stats.documents - b.stats.documents,
      render: (_: unknown, collection) => collection.stats.documents,
    },
    {
      title: 'Chunks',
      key: 'chunks',
      width: 100,
      align: 'right',
      render: (_: unknown, collection) => collection.stats.chunks,
    },
    {
      title: 'Status',
      key: 'status',
      width: 140,
      render: (_: unknown, collection) => {
        const state = collectionState(collection)
        return <Tag color={state.color}>{state.label}</Tag>
      },
    },
    ...(canEdit
      ? [
          {
            title: 'Actions',
            key: 'actions',
            width: 110,
            render: (_: unknown, collection: CollectionRow) => (
              <Popconfirm
                title={`Delete “${collection.name}”?`}
                description="Its documents and their chunks go too; workflows that search it will find nothing."
                okText="Delete"
                okButtonProps={{ danger: true }}
                cancelText="Keep"
                onConfirm={() => onDelete(collection)}
              >
                <Button size="small" danger aria-label={`Delete ${collection.name}`} loading={busyId === collection.id}>
                  Delete
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ]
  return (
    <Table<CollectionRow>
      aria-label="Collections"
      rowKey="id"
      columns={columns}
      dataSource={collections}
      loading={loading}
      pagination={false}
      locale={{ emptyText }}
    />
  )
}
