import { useApolloClient } from '@apollo/client/react'
import { CombinedGraphQLErrors } from '@apollo/client/errors'
import { Button, Card, Empty, Flex, Form, Input, InputNumber, Segmented, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { JsonView } from '../../../components/JsonView'
import { SearchDocument, type SearchMode, type SearchQuery } from '../../../gql/graphql'
import { SEARCH_MODES } from '../constants'
import { parseJsonObject, sentence } from '../knowledge'

interface Fields {
  query: string
  mode: SearchMode
  topK: number
  filter: string
}

type Place = 'query' | 'topK' | 'filter'
type Hit = SearchQuery['search'][number]

/** A search error's message and code, under the field its `extensions.path` names (else the query's). */
function placedError(failure: unknown): { place: Place; text: string } {
  if (CombinedGraphQLErrors.is(failure) && failure.errors.length > 0) {
    const [first] = failure.errors
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : null
    const path = typeof first.extensions?.path === 'string' ? first.extensions.path : ''
    const place: Place = path.startsWith('filter') ? 'filter' : path === 'topK' ? 'topK' : 'query'
    return { place, text: `${sentence(first.message)}${code ? ` (${code})` : ''}` }
  }
  return { place: 'query', text: failure instanceof Error ? failure.message : String(failure) }
}

function HitCard({ hit, rank }: { hit: Hit; rank: number }) {
  const hasMetadata = typeof hit.metadata === 'object' && hit.metadata !== null && Object.keys(hit.metadata).length > 0
  return (
    <Card size="small" role="listitem" aria-label={`Result ${rank}: ${hit.documentName ?? 'a chunk'}`}>
      <Flex vertical gap={8}>
        <Flex gap={8} align="center" wrap>
          <Typography.Text type="secondary">#{rank}</Typography.Text>
          <Tag color="blue" aria-label={`score ${hit.score.toFixed(3)}`}>
            score {hit.score.toFixed(3)}
          </Tag>
          <Typography.Text strong>{hit.documentName ?? 'no document'}</Typography.Text>
          <Typography.Text type="secondary">position {hit.position}</Typography.Text>
        </Flex>
        <Typography.Paragraph className="knowledge-hit-text" ellipsis={{ rows: 6, expandable: 'collapsible' }} style={{ margin: 0 }}>
          {hit.text}
        </Typography.Paragraph>
        {hasMetadata ? (
          <div>
            <Typography.Text type="secondary" className="knowledge-hint">
              Metadata
            </Typography.Text>
            <JsonView value={hit.metadata} label={`Metadata of result ${rank}`} />
          </div>
        ) : null}
      </Flex>
    </Card>
  )
}

/** Tries searches on the collection: by meaning, by keyword or both, with an optional metadata filter. */
export function SearchPlayground({ collectionId }: { collectionId: string }) {
  const client = useApolloClient()
  const [form] = Form.useForm<Fields>()
  const [loading, setLoading] = useState(false)
  const [hits, setHits] = useState<readonly Hit[] | null>(null)
  const [searched, setSearched] = useState('')

  async function search(values: Fields) {
    let filter: Record<string, unknown> | null = null
    if (values.filter?.trim()) {
      const parsed = parseJsonObject(values.filter)
      if ('error' in parsed) {
        form.setFields([{ name: 'filter', errors: [parsed.error] }])
        return
      }
      filter = parsed.value
    }
    form.setFields((['query', 'topK', 'filter'] as const).map((name) => ({ name, errors: [] })))
    setLoading(true)
    try {
      const { data } = await client.query({
        query: SearchDocument,
        variables: { collectionId, query: values.query, mode: values.mode, topK: values.topK, filter },
        fetchPolicy: 'no-cache',
      })
      setHits(data?.search ?? [])
      setSearched(values.query)
    } catch (failure) {
      const { place, text } = placedError(failure)
      form.setFields([{ name: place, errors: [text] }])
      setHits(null)
    } finally {
      setLoading(false)
    }
  }

  return (
    <Flex vertical gap={16}>
      <Form<Fields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ query: '', mode: 'VECTOR', topK: 5, filter: '' }}
        onFinish={(values) => void search(values)}
      >
        <Form.Item label="Query" name="query" rules={[{ required: true, whitespace: true, message: 'Type what to look for.' }]}>
          <Input placeholder="What are you looking for?" />
        </Form.Item>
        <Flex gap={16} wrap align="start">
          <Form.Item label="Mode" name="mode" extra="Vector matches meaning, keyword matches words, hybrid fuses both by rank.">
            <Segmented<SearchMode> aria-label="Search mode" options={[...SEARCH_MODES]} />
          </Form.Item>
          <Form.Item label="Results" name="topK" rules={[{ required: true, message: 'How many results?' }]}>
            <InputNumber aria-label="Results (top K)" min={1} max={100} precision={0} />
          </Form.Item>
          <Form.Item
            label="Filter (JSON, optional)"
            name="filter"
            style={{ flex: 1, minWidth: 280 }}
            extra='Over chunk metadata: {"lang": "en", "year": {"$gte": 2020}}'
          >
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} spellCheck={false} className="knowledge-code" />
          </Form.Item>
        </Flex>
        <Space>
          {/* named outright: antd keeps its loading icon (labelled "loading") in the button after a search */}
          <Button type="primary" htmlType="submit" loading={loading} aria-label="Search" aria-busy={loading}>
            Search
          </Button>
        </Space>
      </Form>
      {hits === null ? null : hits.length === 0 ? (
        <Empty description={`Nothing matches “${searched}”.`} />
      ) : (
        <Flex vertical gap={8} role="list" aria-label="Search results">
          {hits.map((hit, index) => (
            <HitCard key={hit.chunkId} hit={hit} rank={index + 1} />
          ))}
        </Flex>
      )}
    </Flex>
  )
}
