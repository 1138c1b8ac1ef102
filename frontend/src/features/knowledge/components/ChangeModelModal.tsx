import { useMutation } from '@apollo/client/react'
import { Alert, AutoComplete, Form, Modal, Typography } from 'antd'
import { useState } from 'react'
import { UpdateCollectionDocument, type KnowledgeCollectionFieldsFragment } from '../../../gql/graphql'
import { MODEL_SUGGESTIONS, OFFLINE_MODEL } from '../constants'
import { sentence, suggestionFilter } from '../knowledge'

const filterModels = suggestionFilter(MODEL_SUGGESTIONS.map((option) => option.value))

/** Re-embeds the collection with another model (updateCollection's `model`); mounted only while open. */
export function ChangeModelModal({
  collection,
  onClose,
  onChanged,
}: {
  collection: KnowledgeCollectionFieldsFragment
  onClose: () => void
  onChanged: (collection: KnowledgeCollectionFieldsFragment) => void
}) {
  const [form] = Form.useForm<{ model: string }>()
  const [error, setError] = useState<string | null>(null)
  const [update, { loading }] = useMutation(UpdateCollectionDocument)

  async function submit({ model }: { model: string }) {
    setError(null)
    try {
      const { data } = await update({ variables: { id: collection.id, input: { model: model.trim() } } })
      const answer = data?.updateCollection
      if (answer?.__typename === 'Collection') onChanged(answer)
      else if (answer?.__typename === 'InvalidKnowledge')
        form.setFields([{ name: 'model', errors: answer.problems.map((problem) => sentence(problem.message)) }])
      else setError(answer ? sentence(answer.message) : 'The server gave no answer.')
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    }
  }

  return (
    <Modal title="Change the embedding model" open okText="Re-embed" confirmLoading={loading} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph>
        Every chunk of “{collection.name}” is embedded again with the new model, in the background. Searches use the
        current vectors ({collection.model}) until it is done, then the new ones.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ model: collection.nextModel ?? collection.model }} onFinish={(values) => void submit(values)}>
        <Form.Item
          label="New model"
          name="model"
          rules={[{ required: true, whitespace: true, message: 'Name the model.' }]}
          extra={`${OFFLINE_MODEL} runs offline; openai:<model> and ollama:<model> use the workspace’s credentials.`}
        >
          <AutoComplete options={MODEL_SUGGESTIONS} filterOption={filterModels} autoFocus />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
    </Modal>
  )
}
