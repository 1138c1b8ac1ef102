import { Tag } from 'antd'
import type { RunStatus } from '../../../gql/graphql'

const COLORS: Record<RunStatus, string> = {
  PENDING: 'default',
  RUNNING: 'processing',
  WAITING: 'warning',
  SUCCEEDED: 'success',
  FAILED: 'error',
  CANCELLED: 'default',
}

/** A run's status as a coloured tag (the word itself carries the meaning, the colour only helps). */
export function RunStatusTag({ status }: { status: RunStatus }) {
  return <Tag color={COLORS[status]}>{status}</Tag>
}
