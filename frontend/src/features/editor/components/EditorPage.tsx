// `/w/:workspace/workflows/:workflowId`: loads the workflow and the node kinds, then the editor.
// Viewers get a read-only editor; runners may also run (and test nodes), editors and up may save.
import { useQuery } from '@apollo/client/react'
import { ReactFlowProvider } from '@xyflow/react'
import { Button, Result, Spin } from 'antd'
import { Link, useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { EditorWorkflowDocument, type Role } from '../../../gql/graphql'
import { Editor } from './Editor'
import '../editor.css'

const RUNNERS: readonly Role[] = ['RUNNER', 'EDITOR', 'ADMIN', 'OWNER']
const EDITORS: readonly Role[] = ['EDITOR', 'ADMIN', 'OWNER']

export default function EditorPage() {
  const { workspace = '', workflowId = '' } = useParams()
  const { session } = useSession()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const { data, loading, error, refetch } = useQuery(EditorWorkflowDocument, {
    variables: { id: workflowId },
    fetchPolicy: 'network-only',
  })
  if (loading && !data) return <Spin size="large" description="Loading the workflow" className="editor-loading" />
  if (error)
    return (
      <Result
        status="error"
        title="Could not load the workflow"
        subTitle={error.message}
        extra={<Button onClick={() => void refetch()}>Try again</Button>}
      />
    )
  const workflow = data?.workflow
  if (!workflow)
    return (
      <Result
        status="404"
        title="No such workflow"
        subTitle="It may have been deleted, or it belongs to another workspace."
        extra={<Link to={`/w/${workspace}/workflows`}>Back to the workflows</Link>}
      />
    )
  return (
    <ReactFlowProvider>
      <Editor
        key={workflow.id}
        workflow={workflow}
        kinds={data.nodeKinds}
        workspace={workspace}
        canEdit={role !== undefined && EDITORS.includes(role)}
        canRun={role !== undefined && RUNNERS.includes(role)}
      />
    </ReactFlowProvider>
  )
}
