import { Empty, Tag } from 'antd'
import type { TimelineEntry } from '../runState'
import { NODE_STATUS_COLORS } from '../statusColors'
import { duration } from '../time'
import { When } from './When'

/** Node runs in the order they started (node, iteration, status, start, duration); choosing one selects its node. */
export function Timeline({
  entries,
  labels,
  selectedId,
  onSelect,
}: {
  entries: readonly TimelineEntry[]
  labels: ReadonlyMap<string, string>
  selectedId: string | null
  onSelect: (nodeId: string) => void
}) {
  if (entries.length === 0) return <Empty description="No node has started yet." />
  return (
    <ol aria-label="Timeline" className="run-timeline">
      {entries.map((entry) => {
        const label = labels.get(entry.nodeId) ?? entry.nodeId
        return (
          <li key={entry.key}>
            <button
              type="button"
              className={`run-timeline__entry${entry.nodeId === selectedId ? ' run-timeline__entry--selected' : ''}`}
              aria-label={`${label}, iteration ${entry.iteration}, ${entry.status}`}
              aria-pressed={entry.nodeId === selectedId}
              onClick={() => onSelect(entry.nodeId)}
            >
              <span className="run-timeline__node">{label}</span>
              <span className="run-timeline__iteration">#{entry.iteration}</span>
              <Tag color={NODE_STATUS_COLORS[entry.status]}>{entry.status}</Tag>
              <span className="run-timeline__time">
                <When value={entry.startedAt} />
              </span>
              <span className="run-timeline__duration">{duration(entry.startedAt, entry.finishedAt)}</span>
            </button>
          </li>
        )
      })}
    </ol>
  )
}
