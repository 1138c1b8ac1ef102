import { useMutation } from '@apollo/client/react'
import { Alert, AutoComplete, Flex, Form, Input, InputNumber, Modal, Select, Space } from 'antd'
import { useState } from 'react'
import {
  CollectionsDocument,
  CreateCollectionDocument,
  type ChunkUnit,
  type DistanceMetric,
  type KnowledgeCollectionFieldsFragment,
} from '../../../gql/graphql'
import { CHUNK_UNITS, LANGUAGE_SUGGESTIONS, METRICS, MODEL_SUGGESTIONS, OFFLINE_MODEL } from '../constants'
import { problemsByField, suggestionFilter } from '../knowledge'

const filterModels = suggestionFilter(MODEL_SUGGESTIONS.map((option) => option.value))
const filterLanguages = suggestionFilter(LANGUAGE_SUGGESTIONS.map((option) => option.value))

interface Fields {
  name: string
  description: string
  model: string
  dimension: number | null
  metric: DistanceMetric
  language: string
  chunkSize: number
  chunkOverlap: number
  chunkUnit: ChunkUnit
}

/** The form fields a problem's path lands on; chunking problems go under the three chunking fields. */
type Place = 'name' | 'description' | 'model' | 'dimension' | 'metric' | 'language' | 'chunking'
const PLACES: readonly Place[] = ['name', 'description', 'model', 'dimension', 'metric', 'language', 'chunking']

function place(path: string): Place | null {
  return PLACES.find((field) => path === field || path.startsWith(`${field}.`)) ?? null
}

const INITIAL: Fields = {
  name: '',
  description: '',
  model: OFFLINE_MODEL,
  dimension: null,
  metric: 'COSINE',
  language: 'simple',
  chunkSize: 1000,
  chunkOverlap: 100,
  chunkUnit: 'CHARACTERS',
}

/**
 * Creates a collection. The server's typed problems land on the fields they name (name, model,
 * dimension, language, chunking); mounted only while open, so each opening starts afresh.
 */
export function CreateCollectionModal({
  onClose,
  onCreated,
}: {
  onClose: () => void
  onCreated: (collection: KnowledgeCollectionFieldsFragment) => void
}) {
  const [form] = Form.useForm<Fields>()
  const [chunkingProblems, setChunkingProblems] = useState<string[]>([])
  const [other, setOther] = useState<string[]>([])
  const [create, { loading }] = useMutation(CreateCollectionDocument, {
    refetchQueries: (result) => (result.data?.createCollection.__typename === 'Collection' ? [{ query: CollectionsDocument }] : []),
    awaitRefetchQueries: true,
  })

  async function submit(values: Fields) {
    setChunkingProblems([])
    setOther([])
    try {
      const { data } = await create({
        variables: {
          input: {
            name: values.name,
            description: values.description ?? '',
            model: values.model?.trim() || null,
            dimension: values.dimension ?? null,
            metric: values.metric,
            language: values.language?.trim() || 'simple',
            chunking: { size: values.chunkSize, overlap: values.chunkOverlap, unit: values.chunkUnit },
          },
        },
      })
      const answer = data?.createCollection
      if (answer?.__typename === 'Collection') {
        onCreated(answer)
        return
      }
      if (answer?.__typename !== 'InvalidKnowledge') {
        setOther(['The server gave no answer.'])
        return
      }
      const { fields, rest } = problemsByField(answer.problems, place)
      form.setFields(
        (['name', 'description', 'model', 'dimension', 'metric', 'language'] as const).map((name) => ({
          name,
          errors: fields[name] ?? [],
        })),
      )
      setChunkingProblems(fields.chunking ?? [])
      setOther(rest)
    } catch (failure) {
      setOther([failure instanceof Error ? failure.message : String(failure)])
    }
  }

  return (
    <Modal
      title="New collection"
      open
      okText="Create"
      confirmLoading={loading}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
      width={720}
    >
      <Form<Fields>
        form={form}
        layout="vertical"
        initialValues={INITIAL}
        requiredMark={false}
        onFinish={(values) => void submit(values)}
        onValuesChange={(changed: Partial<Fields>) => {
          if ('chunkSize' in changed || 'chunkOverlap' in changed || 'chunkUnit' in changed) setChunkingProblems([])
        }}
      >
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the collection.' }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label="Description" name="description">
          <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} />
        </Form.Item>
        <Form.Item
          label="Embedding model"
          name="model"
          extra={`${OFFLINE_MODEL} runs offline, with no key. openai:<model> and ollama:<model> use the workspace’s credentials (Settings → Credentials).`}
        >
          <AutoComplete options={MODEL_SUGGESTIONS} filterOption={filterModels} placeholder={OFFLINE_MODEL} />
        </Form.Item>
        <Flex gap={16}>
          <Form.Item label="Dimension" name="dimension" extra="Leave empty to take the model’s." style={{ flex: 1 }}>
            <InputNumber min={1} placeholder="from the model" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item label="Metric" name="metric" style={{ flex: 1 }}>
            <Select options={[...METRICS]} />
          </Form.Item>
          <Form.Item
            label="Language"
            name="language"
            extra="Keyword search’s text search configuration."
            style={{ flex: 1 }}
          >
            <AutoComplete options={LANGUAGE_SUGGESTIONS} filterOption={filterLanguages} />
          </Form.Item>
        </Flex>
        <Form.Item
          label="Chunking"
          required={false}
          validateStatus={chunkingProblems.length > 0 ? 'error' : undefined}
          help={chunkingProblems.length > 0 ? chunkingProblems.join(' ') : 'How documents are split: chunk size, and the overlap neighbouring chunks share.'}
        >
          <Flex gap={8} align="center" wrap>
            <Space.Compact>
              <Space.Addon>size</Space.Addon>
              <Form.Item name="chunkSize" noStyle>
                <InputNumber aria-label="Chunk size" min={1} style={{ width: 110 }} />
              </Form.Item>
            </Space.Compact>
            <Space.Compact>
              <Space.Addon>overlap</Space.Addon>
              <Form.Item name="chunkOverlap" noStyle>
                <InputNumber aria-label="Chunk overlap" min={0} style={{ width: 110 }} />
              </Form.Item>
            </Space.Compact>
            <Form.Item name="chunkUnit" noStyle>
              <Select aria-label="Chunk unit" options={[...CHUNK_UNITS]} style={{ width: 130 }} />
            </Form.Item>
          </Flex>
        </Form.Item>
      </Form>
      {other.length > 0 ? <Alert type="error" role="alert" title={other.join(' ')} /> : null}
    </Modal>
  )
}
