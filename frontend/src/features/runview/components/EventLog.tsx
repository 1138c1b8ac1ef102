import { Typography } from 'antd'
import type { LoggedEvent } from '../runState'

/** How many of the newest events the log lists. */
const SHOWN = 500

/** The persisted events this page applied, newest last, by seq (each one exactly once). */
export function EventLog({ seen }: { seen: readonly LoggedEvent[] }) {
  const shown = seen.length > SHOWN ? seen.slice(-SHOWN) : seen
  return (
    <div>
      <Typography.Paragraph type="secondary">
        {seen.length} events applied{seen.length > SHOWN ? `; the newest ${SHOWN} are listed` : ''}.
      </Typography.Paragraph>
      <ol aria-label="Events applied" className="run-events">
        {shown.map((event) => (
          <li key={event.seq} data-seq={event.seq}>
            <span className="run-events__seq">{event.seq}</span> {event.type}
            {event.nodeId ? ` ${event.nodeId}` : ''}
          </li>
        ))}
      </ol>
    </div>
  )
}
