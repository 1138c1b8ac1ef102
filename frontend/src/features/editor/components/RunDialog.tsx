// Run: the run inputs form generated from `definition.inputs` (none → just confirm), then startRun and
// on to the run's page. A run uses the saved version, so unsaved edits are pointed out.
import { useMutation } from '@apollo/client/react'
import { Alert, Button, Modal, Spin } from 'antd'
import { Suspense, useState } from 'react'
import { LazySchemaForm } from '../../../components/schemaForm'
import { EditorStartRunDocument } from '../../../gql/graphql'
import type { Definition } from '../flow'

function hasInputs(definition: Definition): boolean {
  const inputs = definition.inputs
  return typeof inputs === 'object' && inputs !== null && Object.keys((inputs as { properties?: object }).properties ?? {}).length > 0
}

export default function RunDialog({
  workflowId,
  definition,
  dirty,
  onClose,
  onStarted,
}: {
  workflowId: string
  definition: Definition
  dirty: boolean
  onClose: () => void
  onStarted: (runId: string) => void
}) {
  const [start, { loading }] = useMutation(EditorStartRunDocument)
  const [inputs, setInputs] = useState<unknown>({})
  const [problems, setProblems] = useState<string[]>([])
  const withInputs = hasInputs(definition)

  async function run(values: unknown) {
    setProblems([])
    const result = await start({ variables: { workflowId, inputs: withInputs ? values : null } }).catch((error: unknown) => {
      setProblems([error instanceof Error ? error.message : String(error)])
      return null
    })
    const answer = result?.data?.startRun
    if (!answer) return
    switch (answer.__typename) {
      case 'Run':
        onStarted(answer.id)
        break
      case 'InvalidRunInputs':
        setProblems(answer.problems.map((problem) => `${problem.path ? `${problem.path}: ` : ''}${problem.message}`))
        break
      case 'MissingCredentials':
        setProblems([answer.message])
        break
      case 'NotFound':
        setProblems([answer.message])
        break
    }
  }

  return (
    <Modal title="Run this workflow" open onCancel={onClose} footer={null} destroyOnHidden>
      {dirty && <Alert type="warning" showIcon title="You have unsaved changes: the run uses the last saved version." />}
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          title="The run was not started"
          description={
            <ul aria-label="Problems">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          }
        />
      )}
      {withInputs ? (
        <Suspense fallback={<Spin description="Loading the form" />}>
          <LazySchemaForm
            idPrefix="run_inputs"
            schema={definition.inputs}
            formData={inputs}
            onChange={setInputs}
            onSubmit={(values) => void run(values)}
            submitLabel="Start run"
            showTitle
          >
            <Button type="primary" htmlType="submit" loading={loading}>
              Start run
            </Button>
          </LazySchemaForm>
        </Suspense>
      ) : (
        <div className="editor-run-confirm">
          <p>This workflow takes no inputs.</p>
          <Button type="primary" onClick={() => void run(null)} loading={loading}>
            Start run
          </Button>
        </div>
      )}
    </Modal>
  )
}
