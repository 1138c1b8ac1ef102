// React Flow's node types, at module level so React Flow never sees a new object and remounts nodes.
import type { NodeTypes } from '@xyflow/react'
import { FlowNodeView } from './FlowNodeView'

export const nodeTypes: NodeTypes = { dsl: FlowNodeView }
