import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  type Edge,
  type NodeChange,
  type NodeMouseHandler,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { memo, useEffect, useMemo, useState } from 'react'
import { NODE_HEIGHT, NODE_WIDTH, type RunGraph as Graph } from '../graph'
import type { NodeView } from '../runState'
import { nodeTypes } from './nodeTypes'
import type { RunFlowNode } from './RunNode'

const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT }
const FIT = { padding: 0.2, maxZoom: 1.2 }

interface Cached {
  view: NodeView | undefined
  selected: boolean
  node: RunFlowNode
}

/**
 * Flow nodes for the graph and the live node states. A node object is reused while its own state
 * and selection are unchanged, so a batch of events re-renders only the nodes it touched.
 */
function useFlowNodes(graph: Graph, nodes: Readonly<Record<string, NodeView>>, selectedId: string | null): RunFlowNode[] {
  // the previous answer's node objects, by id (one holder per graph view; replaced on each answer)
  const [cache] = useState(() => new Map<string, Cached>())
  return useMemo(() => {
    const next = new Map<string, Cached>()
    const result = graph.nodes.map((item) => {
      const view = nodes[item.id]
      const selected = item.id === selectedId
      const before = cache.get(item.id)
      const cached =
        before && before.view === view && before.selected === selected && before.node.position === item.position
          ? before
          : {
              view,
              selected,
              node: {
                id: item.id,
                type: 'run' as const,
                position: item.position,
                // the size RunNode's CSS gives every node: known up front, so a node that changes
                // stays drawn instead of hiding until it is measured again
                measured: NODE_SIZE,
                selected,
                ariaLabel: `${item.label} (${item.kind})`,
                draggable: false,
                connectable: false,
                data: { label: item.label, kind: item.kind, status: view?.status ?? 'PENDING', iteration: view?.iteration ?? 0 },
              },
            }
      next.set(item.id, cached)
      return cached.node
    })
    cache.clear()
    next.forEach((value, key) => cache.set(key, value))
    return result
  }, [cache, graph, nodes, selectedId])
}

/** Fits the graph into its pane whenever the pane's width changes (the side panel was resized). */
function FitOnResize({ width }: { width: number }) {
  const flow = useReactFlow()
  useEffect(() => {
    const handle = setTimeout(() => void flow.fitView(FIT), 50)
    return () => clearTimeout(handle)
  }, [flow, width])
  return null
}

/** The run's graph, read-only: live statuses on the nodes, branch labels on the edges. */
export const RunGraph = memo(function RunGraph({
  graph,
  nodes,
  selectedId,
  onSelect,
  width,
}: {
  graph: Graph
  nodes: Readonly<Record<string, NodeView>>
  selectedId: string | null
  onSelect: (nodeId: string | null) => void
  width: number
}) {
  const flowNodes = useFlowNodes(graph, nodes, selectedId)
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        label: edge.branch ?? undefined,
        className: edge.branch === 'error' ? 'run-edge--error' : undefined,
      })),
    [graph],
  )
  const onNodeClick = useMemo<NodeMouseHandler<RunFlowNode>>(() => (_, node) => onSelect(node.id), [onSelect])
  const onPaneClick = useMemo(() => () => onSelect(null), [onSelect])
  // a node focused with Tab and selected with Enter arrives as a selection change
  const onNodesChange = useMemo(
    () => (changes: NodeChange<RunFlowNode>[]) => {
      const chosen = changes.find((change) => change.type === 'select' && change.selected)
      if (chosen && chosen.type === 'select') onSelect(chosen.id)
    },
    [onSelect],
  )
  return (
    <ReactFlow<RunFlowNode>
      aria-label="Run graph"
      nodes={flowNodes}
      edges={edges}
      nodeTypes={nodeTypes}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      onNodeClick={onNodeClick}
      onNodesChange={onNodesChange}
      onPaneClick={onPaneClick}
      fitView
      fitViewOptions={FIT}
      minZoom={0.1}
    >
      <Background />
      <Controls showInteractive={false} />
      <FitOnResize width={width} />
    </ReactFlow>
  )
})
