import { Button, Flex, Popconfirm, Progress, Table, Tag, Typography, type TableColumnsType } from 'antd'
import { DateTime } from '../../../components/DateTime'
import type { DocumentStatus } from '../../../gql/graphql'
import { formatBytes, kindOf } from '../knowledge'
import type { DocumentRow } from '../progress'

const COLORS: Record<DocumentStatus, string> = {
  PENDING: 'default',
  PROCESSING: 'processing',
  READY: 'success',
  FAILED: 'error',
}

/** A document's status: the tag, a bar of chunks embedded while PROCESSING, and why it FAILED. */
function DocumentStatusCell({ row }: { row: DocumentRow }) {
  return (
    <Flex vertical gap={4}>
      <span>
        <Tag color={COLORS[row.status]}>{row.status}</Tag>
      </span>
      {row.status === 'PROCESSING' && row.chunksTotal > 0 ? (
        <Progress
          percent={Math.round((100 * row.chunksDone) / row.chunksTotal)}
          format={() => `${row.chunksDone}/${row.chunksTotal}`}
          size="small"
          aria-label={`${row.name}: ${row.chunksDone} of ${row.chunksTotal} chunks embedded`}
        />
      ) : null}
      {row.status === 'FAILED' && row.error ? (
        <Typography.Text type="danger" className="knowledge-error">
          {row.error}
        </Typography.Text>
      ) : null}
    </Flex>
  )
}

function unknown(what: string) {
  return <span aria-label={`${what} not known yet`}>—</span>
}

/** The collection's documents, newest first, kept live by the page's progress state. */
export function DocumentsTable({
  rows,
  loading,
  canEdit,
  busyId,
  onDelete,
  emptyText,
}: {
  rows: readonly DocumentRow[]
  loading: boolean
  canEdit: boolean
  /** The document a delete is under way for. */
  busyId: string | null
  onDelete: (row: DocumentRow) => void
  emptyText: string
}) {
  const columns: TableColumnsType<DocumentRow> = [
    { title: 'Name', dataIndex: 'name', render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
    {
      title: 'Type',
      dataIndex: 'mediaType',
      width: 110,
      render: (mediaType: string | null) => (mediaType === null ? unknown('type') : kindOf(mediaType)),
    },
    {
      title: 'Size',
      dataIndex: 'size',
      width: 100,
      align: 'right',
      render: (size: number | null) => (size === null ? unknown('size') : formatBytes(size)),
    },
    { title: 'Status', key: 'status', width: 240, render: (_: unknown, row) => <DocumentStatusCell row={row} /> },
    {
      title: 'Chunks',
      dataIndex: 'chunks',
      width: 90,
      align: 'right',
      render: (chunks: number | null) => (chunks === null ? <span aria-label="none yet">—</span> : chunks),
    },
    {
      title: 'Added',
      dataIndex: 'createdAt',
      width: 150,
      render: (createdAt: string | null) => <DateTime value={createdAt} empty="just now" />,
    },
    ...(canEdit
      ? [
          {
            title: 'Actions',
            key: 'actions',
            width: 100,
            render: (_: unknown, row: DocumentRow) => (
              <Popconfirm
                title={`Delete “${row.name}”?`}
                description="Its chunks go too: searches no longer find them."
                okText="Delete"
                okButtonProps={{ danger: true }}
                cancelText="Keep"
                onConfirm={() => onDelete(row)}
              >
                <Button size="small" danger aria-label={`Delete ${row.name}`} loading={busyId === row.id}>
                  Delete
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ]
  return (
    <Table<DocumentRow>
      aria-label="Documents"
      rowKey="id"
      columns={columns}
      dataSource={rows}
      loading={loading}
      pagination={false}
      size="middle"
      locale={{ emptyText }}
    />
  )
}
