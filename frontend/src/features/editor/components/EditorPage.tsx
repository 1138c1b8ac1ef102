// `/w/:workspace/workflows/:workflowId`: loads the workflow and the node kinds, then the editor.
// Viewers get a read-only editor; runners may also run (and test nodes), editors and up may save.
import { useQuery } from '@apollo/client/react'
import { Button, Result, Spin } from 'antd'
import { lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { EditorWorkflowDocument, type Role } from '../../../gql/graphql'
import type { EditorProps } from './Editor'

// this chunk is small: the editor itself (React Flow, dagre) starts loading as soon as it runs, in
// parallel with the workflow's query, instead of after it
let loadedScreen: ComponentType<EditorProps> | null = null
const editorChunk = import('./EditorScreen').then((module) => {
  loadedScreen = module.default
  return module
})
const LazyEditorScreen = lazy(() => editorChunk)

const RUNNERS: readonly Role[] = ['RUNNER', 'EDITOR', 'ADMIN', 'OWNER']
const EDITORS: readonly Role[] = ['EDITOR', 'ADMIN', 'OWNER']

/**
 * The editor, rendered directly once its chunk is in (a lazy component suspends once even when its
 * chunk is loaded, and React then holds the reveal back up to 300 ms after the fallback). Chosen once
 * per mount: switching component types later would remount the editor and lose its edits.
 */
function EditorMount(props: EditorProps & { fallback: ReactNode }) {
  const [EditorScreen] = useState(() => loadedScreen ?? LazyEditorScreen)
  const { fallback, ...rest } = props
  return (
    <Suspense fallback={fallback}>
      <EditorScreen {...rest} />
    </Suspense>
  )
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
