// The editor with React Flow's provider: the heavy chunk (React Flow, dagre, the editor), which
// EditorPage starts loading while it fetches the workflow.
import { ReactFlowProvider } from '@xyflow/react'
import { Editor, type EditorProps } from './Editor'
import '../editor.css'

export default function EditorScreen(props: EditorProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  )
}
