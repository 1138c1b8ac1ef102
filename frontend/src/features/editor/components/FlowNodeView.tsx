// One node on the canvas: plain elements and CSS classes (no antd Card), memoised, so 200 nodes stay light.
import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { DEFAULT_HANDLE, ERROR_BRANCH, type FlowNode } from '../flow'

function FlowNodeViewInner({ id, data, selected }: NodeProps<FlowNode>) {
  const { node, title, outputs, problems } = data
  const label = node.label || id
  const classes = ['flow-node', selected ? 'is-selected' : '', problems ? 'has-problems' : ''].filter(Boolean).join(' ')
  const named = outputs.length > 1 || outputs[0] !== DEFAULT_HANDLE
  return (
    <div className={classes} aria-label={`Node ${label}${problems ? `, ${problems} problem${problems === 1 ? '' : 's'}` : ''}`}>
      <Handle type="target" position={Position.Left} id="in" className="flow-handle" />
      <div className="flow-node-kind">{title}</div>
      <div className="flow-node-label">{label}</div>
      {label !== id && <div className="flow-node-id">{id}</div>}
      {problems > 0 && (
        <span className="flow-node-badge" title={`${problems} problem${problems === 1 ? '' : 's'}`}>
          {problems}
        </span>
      )}
      <div className="flow-node-outputs">
        {outputs.map((handle) => (
          <div key={handle} className={`flow-node-output${handle === ERROR_BRANCH ? ' is-error' : ''}`}>
            {named && <span className="flow-node-output-name">{handle}</span>}
            <Handle
              type="source"
              position={Position.Right}
              id={handle}
              className="flow-handle"
              data-handle={handle}
              aria-label={`Output ${handle} of ${id}`}
            />
          </div>
        ))}
      </div>
    </div>
  )
}

export const FlowNodeView = memo(FlowNodeViewInner)
