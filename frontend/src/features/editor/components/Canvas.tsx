// The editor's React Flow canvas. It holds the canvas's own nodes and edges (useFlowElements), so what
// only the canvas sees — React Flow measuring 200 nodes as they first appear, every step of a drag —
// re-renders this component alone, not the toolbar, palette and panels around it.
import { Background, Controls, ReactFlow, type Connection, type OnSelectionChangeParams } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { memo } from 'react'
import { FIT_VIEW_OPTIONS, type Definition, type FlowEdge, type FlowNode } from '../flow'
import { useFlowElements } from '../hooks/useFlowElements'
import { nodeTypes } from './nodeTypes'

const PRO_OPTIONS = { hideAttribution: true }
const DELETE_KEYS = ['Delete', 'Backspace']

export interface CanvasProps {
  definition: Definition
  titles: ReadonlyMap<string, string>
  problems: ReadonlyMap<string, number>
  selection: ReadonlySet<string>
  canEdit: boolean
  onConnect: (connection: Connection) => void
  onSelectionChange: (params: OnSelectionChangeParams<FlowNode, FlowEdge>) => void
  onNodeDragStop: (event: unknown, node: FlowNode, dragged: FlowNode[]) => void
  onDelete: (deleted: { nodes: FlowNode[]; edges: FlowEdge[] }) => void
}

function CanvasInner({ definition, titles, problems, selection, canEdit, ...handlers }: CanvasProps) {
  const { nodes, edges, onNodesChange, onEdgesChange } = useFlowElements(definition, titles, problems, selection)
  return (
    <ReactFlow<FlowNode, FlowEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={handlers.onConnect}
      onSelectionChange={handlers.onSelectionChange}
      onNodeDragStop={handlers.onNodeDragStop}
      onDelete={handlers.onDelete}
      nodesDraggable={canEdit}
      nodesConnectable={canEdit}
      deleteKeyCode={canEdit ? DELETE_KEYS : null}
      fitView
      fitViewOptions={FIT_VIEW_OPTIONS}
      minZoom={0.1}
      proOptions={PRO_OPTIONS}
      aria-label="Workflow canvas"
    >
      <Background />
      <Controls showInteractive={false} />
    </ReactFlow>
  )
}

export const Canvas = memo(CanvasInner)
