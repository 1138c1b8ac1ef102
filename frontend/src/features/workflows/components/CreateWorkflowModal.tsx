import { useMutation } from '@apollo/client/react'
import { Alert, Form, Input, Modal } from 'antd'
import { useState } from 'react'
import {
  CreateWorkflowDocument,
  WorkflowsTableDocument,
  type ProblemFieldsFragment,
  type WorkflowFieldsFragment,
} from '../../../gql/graphql'
import { parseDefinition, type ImportedDefinition } from '../definitionFile'
import { STARTER_DEFINITION, WORKFLOWS_PAGE } from '../constants'
import { ProblemList } from './ProblemList'

interface Fields {
  name: string
  definition: string
}


/**
 * Creates a workflow from a name and a JSON definition (typed in, or imported from a file). Mounted
 * only while open, so each opening starts from `initial` with no problems left from the last one.
 */
export function CreateWorkflowModal({
  initial,
  onClose,
  onCreated,
}: {
  initial: ImportedDefinition | null
  onClose: () => void
  onCreated: (workflow: WorkflowFieldsFragment) => void
}) {
  const [form] = Form.useForm<Fields>()
  const [problems, setProblems] = useState<readonly ProblemFieldsFragment[]>([])
  const [error, setError] = useState<string | null>(null)
  const [create, { loading }] = useMutation(CreateWorkflowDocument, {
    // only a created workflow changes the list; a refused one leaves it as it was
    refetchQueries: (result) =>
      result.data?.createWorkflow.__typename === 'Workflow'
        ? [{ query: WorkflowsTableDocument, variables: { first: WORKFLOWS_PAGE } }]
        : [],
    awaitRefetchQueries: true,
  })

  async function submit(values: Fields) {
    setProblems([])
    setError(null)
    const parsed = parseDefinition(values.definition)
    if ('error' in parsed) {
      setError(parsed.error)
      return
    }
    try {
      const { data } = await create({ variables: { input: { name: values.name, definition: parsed.value } } })
      const answer = data?.createWorkflow
      if (answer?.__typename === 'Workflow') onCreated(answer)
      else if (answer?.__typename === 'InvalidWorkflow') setProblems(answer.problems)
      else setError('The server gave no answer.')
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    }
  }

  return (
    <Modal
      title={initial ? 'Import a workflow' : 'New workflow'}
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
        initialValues={{ name: initial?.name ?? '', definition: initial?.definitionText ?? JSON.stringify(STARTER_DEFINITION, null, 2) }}
        layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item label="Name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the workflow.' }]}>
          <Input />
        </Form.Item>
        <Form.Item
          label="Definition (JSON)"
          name="definition"
          rules={[{ required: true, message: 'Give the definition as JSON.' }]}
        >
          <Input.TextArea autoSize={{ minRows: 8, maxRows: 20 }} spellCheck={false} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" role="alert" title={error} /> : null}
      <ProblemList problems={problems} />
    </Modal>
  )
}
