// The canvas's nodes and edges, kept in step with the definition without remaking what did not change:
// a node whose DSL node, title and problem count are the same keeps its object (and React Flow's
// measurements), so memoised node views do not re-render on every edit.
import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react'
import { useCallback, useEffect, useRef, useState } from 'react'
import { toFlowEdges, toFlowNodes, type Definition, type FlowEdge, type FlowNode } from '../flow'

function mergeNodes(previous: FlowNode[], next: FlowNode[], selected: ReadonlySet<string>): FlowNode[] {
  const before = new Map(previous.map((node) => [node.id, node]))
  return next.map((node) => {
    const old = before.get(node.id)
    const isSelected = selected.has(node.id)
    if (
      old &&
      old.data.node === node.data.node &&
      old.data.problems === node.data.problems &&
      old.data.title === node.data.title &&
      old.position.x === node.position.x &&
      old.position.y === node.position.y
    ) {
      return Boolean(old.selected) === isSelected ? old : { ...old, selected: isSelected }
    }
    return { ...node, selected: isSelected, measured: old?.measured }
  })
}

function mergeEdges(previous: FlowEdge[], next: FlowEdge[]): FlowEdge[] {
  const before = new Map(previous.map((edge) => [edge.id, edge]))
  return next.map((edge) => {
    const old = before.get(edge.id)
    if (old && old.data?.edge === edge.data?.edge) return old
    return { ...edge, selected: old?.selected }
  })
}

export function useFlowElements(
  definition: Definition,
  titles: ReadonlyMap<string, string>,
  problems: ReadonlyMap<string, number>,
  selected: ReadonlySet<string>,
) {
  const [nodes, setNodes] = useState<FlowNode[]>(() => mergeNodes([], toFlowNodes(definition, titles, problems), selected))
  const [edges, setEdges] = useState<FlowEdge[]>(() => toFlowEdges(definition))
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    setNodes((previous) => mergeNodes(previous, toFlowNodes(definition, titles, problems), selected))
    setEdges((previous) => mergeEdges(previous, toFlowEdges(definition)))
  }, [definition, titles, problems, selected])
  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => setNodes((current) => applyNodeChanges(changes.filter((change) => change.type !== 'remove'), current)),
    [],
  )
  const onEdgesChange = useCallback(
    (changes: EdgeChange<FlowEdge>[]) => setEdges((current) => applyEdgeChanges(changes.filter((change) => change.type !== 'remove'), current)),
    [],
  )
  return { nodes, edges, onNodesChange, onEdgesChange }
}
