import { Position, type Node, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import type { NodeStatus } from '../../../gql/graphql'

/** What one node of the run graph shows; a new object only when this node's state changed. */
export interface RunNodeData extends Record<string, unknown> {
  label: string
  kind: string
  status: NodeStatus
  iteration: number
}

export type RunFlowNode = Node<RunNodeData, 'run'>

/**
 * Where an edge meets a node: the element React Flow measures for edge ends (class `source` or
 * `target`, as its Handle renders), without the Handle component itself. A Handle subscribes twice to
 * the flow's store (connection state, handle settings) for connecting by drag, which this read-only
 * graph never does: with 2 per node, every batch of live events re-ran some 800 selectors.
 */
function Anchor({ type, position }: { type: 'source' | 'target'; position: Position }) {
  return <div className={`react-flow__handle react-flow__handle-${position} nodrag nopan ${type}`} data-handlepos={position} />
}

/** A node of the run graph: label, kind and status word. Plain elements (no Card, no Tag): hundreds render live. */
export const RunNode = memo(function RunNode({ id, data, selected }: NodeProps<RunFlowNode>) {
  return (
    <div
      className={`run-node run-node--${data.status.toLowerCase()}${selected ? ' run-node--selected' : ''}`}
    >
      <Anchor type="target" position={Position.Left} />
      <div className="run-node__label" title={id}>
        {data.label}
      </div>
      <div className="run-node__meta">
        <span className="run-node__kind">{data.kind}</span>
        <span className={`run-node__status run-node__status--${data.status.toLowerCase()}`}>{data.status}</span>
        {data.iteration > 0 ? <span className="run-node__kind">#{data.iteration}</span> : null}
      </div>
      <Anchor type="source" position={Position.Right} />
    </div>
  )
})
