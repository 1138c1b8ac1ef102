import { Alert, Button, Card, Flex, Popconfirm, Space, Statistic, Tag, Typography } from 'antd'
import type { KnowledgeCollectionHeaderQuery } from '../../../gql/graphql'
import { CHUNK_UNITS, METRICS } from '../constants'
import { collectionState } from '../knowledge'

export type HeaderCollection = NonNullable<KnowledgeCollectionHeaderQuery['collection']>

/** The collection's name, settings and counts, and (for editors) its re-embedding actions. */
export function CollectionHeader({
  collection,
  canEdit,
  reindexing,
  onChangeModel,
  onReindex,
}: {
  collection: HeaderCollection
  canEdit: boolean
  /** A reindex request is under way. */
  reindexing: boolean
  onChangeModel: () => void
  onReindex: () => void
}) {
  const { stats, chunking } = collection
  const state = collectionState(collection)
  const metric = METRICS.find((item) => item.value === collection.metric)?.label ?? collection.metric
  const unit = CHUNK_UNITS.find((item) => item.value === chunking.unit)?.label ?? chunking.unit
  return (
    <Card>
      <Flex vertical gap={16}>
        <Flex justify="space-between" align="start" wrap gap={16}>
          <Flex vertical gap={4} className="knowledge-header__title">
            <Flex align="center" gap={12} wrap>
              <Typography.Title level={2} style={{ margin: 0 }}>
                {collection.name}
              </Typography.Title>
              <Tag color={state.color}>{state.label}</Tag>
            </Flex>
            {collection.description ? (
              <Typography.Paragraph style={{ margin: 0 }}>{collection.description}</Typography.Paragraph>
            ) : null}
            <Typography.Text type="secondary">
              {collection.model} · {collection.dimension} dimensions · {metric} · language “{collection.language}” ·
              chunks of {chunking.size} {unit}, {chunking.overlap} overlapping
            </Typography.Text>
          </Flex>
          {canEdit ? (
            <Flex vertical gap={4} align="end" className="knowledge-header__actions">
              <Space>
                <Button onClick={onChangeModel} disabled={collection.reindexing}>
                  Change model
                </Button>
                <Popconfirm
                  title="Reindex this collection?"
                  description={`Every chunk is embedded again with ${collection.model}, in the background; searches use the current vectors until it is done.`}
                  okText="Reindex"
                  cancelText="Not now"
                  onConfirm={onReindex}
                >
                  <Button loading={reindexing} disabled={collection.reindexing}>
                    Reindex
                  </Button>
                </Popconfirm>
              </Space>
              <Typography.Text type="secondary" className="knowledge-hint">
                Re-embedding runs in the background; searches use the old vectors until it is done.
              </Typography.Text>
            </Flex>
          ) : null}
        </Flex>
        {collection.reindexing ? (
          <Alert
            type="info"
            showIcon
            title={
              collection.nextModel && collection.nextModel !== collection.model
                ? `Re-embedding with ${collection.nextModel}`
                : `Reindexing with ${collection.model}`
            }
            description={`Searches use the current vectors (${collection.model}) until every chunk has its new one.`}
          />
        ) : null}
        <Flex gap={40} wrap role="group" aria-label="Collection statistics">
          <Statistic title="Documents" value={stats.documents} />
          <Statistic title="Ready" value={stats.ready} />
          <Statistic title="Ingesting" value={stats.pending} />
          <Statistic title="Failed" value={stats.failed} />
          <Statistic title="Chunks" value={stats.chunks} />
          <Statistic title="Vector search" value={stats.indexed ? 'indexed' : 'exact'} />
        </Flex>
      </Flex>
    </Card>
  )
}
