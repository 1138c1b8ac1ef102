import { Handle, Position, type Node, type NodeProps } from '@xyflow/react'
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

/** A node of the run graph: label, kind and status word. Plain elements (no Card, no Tag): hundreds render live. */
export const RunNode = memo(function RunNode({ id, data, selected }: NodeProps<RunFlowNode>) {
  return (
    <div
      className={`run-node run-node--${data.status.toLowerCase()}${selected ? ' run-node--selected' : ''}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="run-node__label" title={id}>
        {data.label}
      </div>
      <div className="run-node__meta">
        <span className="run-node__kind">{data.kind}</span>
        <span className={`run-node__status run-node__status--${data.status.toLowerCase()}`}>{data.status}</span>
        {data.iteration > 0 ? <span className="run-node__kind">#{data.iteration}</span> : null}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  )
})
