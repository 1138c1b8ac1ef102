// `/w/:workspace/workflows/:workflowId`: loads the workflow and the node kinds, then the editor.
// Viewers get a read-only editor; runners may also run (and test nodes), editors and up may save.
import { useQuery } from '@apollo/client/react'
import { Button, Result, Spin } from 'antd'
import type { ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { LoadError } from '../../../components/LoadError'
import { EditorWorkflowDocument, type Role } from '../../../gql/graphql'
import { chunk, useChunk } from '../../../lib/chunk'
import type { EditorProps } from './Editor'

// this chunk is small: the editor itself (React Flow, dagre) starts loading as soon as it runs, in
// parallel with the workflow's query, instead of after it
const editorScreen = chunk(() => import('./EditorScreen').then((module) => module.default))
void editorScreen.start()

const RUNNERS: readonly Role[] = ['RUNNER', 'EDITOR', 'ADMIN', 'OWNER']
const EDITORS: readonly Role[] = ['EDITOR', 'ADMIN', 'OWNER']

/** The editor once its chunk is in (no Suspense, see lib/chunk); `fallback` until then. */
function EditorMount(props: EditorProps & { fallback: ReactNode }) {
  const { value: EditorScreen, error } = useChunk(editorScreen)
  const { fallback, ...rest } = props
  if (error)
    return (
      <LoadError
        what="The editor"
        error={error}
        onRetry={() => window.location.reload()}
      />
    )
  return EditorScreen ? <EditorScreen {...rest} /> : fallback
}

export default function EditorPage() {
  const { workspace = '', workflowId = '' } = useParams()
  const { session } = useSession()
  const role = session?.workspaces.find((item) => item.slug === workspace)?.role
  const { data, loading, error, refetch } = useQuery(EditorWorkflowDocument, {
    variables: { id: workflowId },
    fetchPolicy: 'network-only',
  })
  const spinner = <Spin size="large" description="Loading the workflow" className="editor-loading" />
  if (loading && !data) return spinner
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
    <EditorMount
      fallback={spinner}
      key={workflow.id}
      workflow={workflow}
      kinds={data.nodeKinds}
      workspace={workspace}
      canEdit={role !== undefined && EDITORS.includes(role)}
      canRun={role !== undefined && RUNNERS.includes(role)}
    />
  )
}
