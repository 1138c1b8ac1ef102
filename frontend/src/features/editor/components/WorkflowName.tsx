// The workflow's name, renamed in place (a rename is saved at once and makes no new version).
import { useMutation } from '@apollo/client/react'
import { App, Typography } from 'antd'
import { useState } from 'react'
import { UpdateWorkflowDocument } from '../../../gql/graphql'

export function WorkflowName({ workflowId, name, editable }: { workflowId: string; name: string; editable: boolean }) {
  const { message } = App.useApp()
  const [shown, setShown] = useState(name)
  const [rename] = useMutation(UpdateWorkflowDocument)
  async function commitName(next: string) {
    const trimmed = next.trim()
    if (!trimmed || trimmed === shown) return
    const result = await rename({ variables: { id: workflowId, input: { name: trimmed } } }).catch(() => null)
    const answer = result?.data?.updateWorkflow
    if (answer?.__typename === 'Workflow') {
      setShown(answer.name)
      message.success(`Renamed to “${answer.name}”`)
    } else if (answer?.__typename === 'InvalidWorkflow') {
      message.error(`Not renamed: ${answer.problems.map((problem) => problem.message).join('; ')}`)
    } else {
      message.error('Not renamed: the server did not answer.')
    }
  }
  return (
    <Typography.Title
      level={4}
      className="editor-name"
      editable={editable ? { onChange: (next) => void commitName(next), triggerType: ['icon'], tooltip: 'Rename' } : false}
    >
      {shown}
    </Typography.Title>
  )
}
