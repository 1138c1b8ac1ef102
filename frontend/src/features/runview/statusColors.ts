import type { NodeStatus } from '../../gql/graphql'

/** A node status's antd Tag colour (the word carries the meaning; the colour only helps). */
export const NODE_STATUS_COLORS: Record<NodeStatus, string> = {
  PENDING: 'default',
  RUNNING: 'processing',
  WAITING: 'warning',
  SUCCEEDED: 'success',
  FAILED: 'error',
  SKIPPED: 'default',
}
