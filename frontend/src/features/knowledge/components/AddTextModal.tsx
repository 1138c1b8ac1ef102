import { useMutation } from '@apollo/client/react'
import { Alert, Form, Input, Modal, Select } from 'antd'
import { useState } from 'react'
import { AddDocumentsDocument } from '../../../gql/graphql'
import { parseJsonObject, problemsByField, sentence } from '../knowledge'
import type { KnownDocument } from '../progress'

interface Fields {
  name: string
  mediaType: 'text/plain' | 'text/markdown'
  text: string
  metadata: string
}

type Place = 'name' | 'text' | 'metadata'

/** Where a problem of the one document sent lands: `documents[0].name`, `…metadata`, else the text. */
function place(path: string): Place {
  if (/\.name$/.test(path)) return 'name'
  if (/\.metadata/.test(path)) return 'metadata'
  return 'text'
}

/** Adds a typed text as a document (with optional metadata for filters); mounted only while open. */
export function AddTextModal({
  collectionId,
  onClose,
  onAdded,
}: {
  collectionId: string
  onClose: () => void
  onAdded: (documents: readonly KnownDocument[]) => void
}) {
  const [form] = Form.useForm<Fields>()
  const [error, setError] = useState<string | null>(null)
  const [add, { loading }] = useMutation(AddDocumentsDocument)

  async function submit(values: Fields) {
    setError(null)
    const metadata = values.metadata?.trim() ? parseJsonObject(values.metadata) : { value: null }
    if ('error' in metadata) return
    try {
      const { data } = await add({
        variables: {
          collectionId,
          documents: [{ name: values.name.trim(), text: values.text, mediaType: values.mediaType, metadata: metadata.value }],
        },
      })
      const answer = data?.addDocuments
      if (answer?.__typename === 'AddedDocuments' && answer.refused.length === 0) {
        onAdded(answer.documents)
        return
      }
      if (answer?.__typename === 'NotFound') {
        setError(sentence(answer.message))
        return
      }
      const problems = answer?.__typename === 'AddedDocuments' ? answer.refused : (answer?.problems ?? [])
      const { fields, rest } = problemsByField(problems, place)
      form.setFields((['name', 'text', 'metadata'] as const).map((name) => ({ name, errors: fields[name] ?? [] })))
      if (rest.length > 0 || problems.length === 0) setError(rest.join(' ') || 'The server gave no answer.')
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    }
  }

  return (
    <Modal title="Add text" open okText="Add" confirmLoading={loading} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden width={640}>
      <Form<Fields>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: '', mediaType: 'text/plain', text: '', metadata: '' }}
        onFinish={(values) => void submit(values)}
      >
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the document.' }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item label="Format" name="mediaType">
          <Select
            options={[
              { value: 'text/plain', label: 'Plain text' },
              { value: 'text/markdown', label: 'Markdown (split along its headings)' },
            ]}
          />
        </Form.Item>
        <Form.Item label="Text" name="text" rules={[{ required: true, whitespace: true, message: 'Give the text to add.' }]}>
          <Input.TextArea autoSize={{ minRows: 6, maxRows: 16 }} />
        </Form.Item>
        <Form.Item
          label="Metadata (JSON, optional)"
          name="metadata"
          extra='Every chunk carries it, for search filters: {"lang": "en", "year": 2026}.'
          rules={[
            {
              validator: (_, value: string | undefined) => {
                if (!value?.trim()) return Promise.resolve()
                const parsed = parseJsonObject(value)
                return 'error' in parsed ? Promise.reject(new Error(parsed.error)) : Promise.resolve()
              },
            },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} spellCheck={false} className="knowledge-code" />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
    </Modal>
  )
}
