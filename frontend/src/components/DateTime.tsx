import { Tooltip } from 'antd'
import dayjs from 'dayjs'
import relativeTime from 'dayjs/plugin/relativeTime'

dayjs.extend(relativeTime)

const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

/** A server timestamp in the reader's locale ("3 Dec 2026, 02:15:04"); the raw text when it is no date. */
function exactTime(value: string): string {
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : exactFormat.format(date)
}

/**
 * A server timestamp as people say it ("5 minutes ago"), the exact time on hover; `empty` (a dash
 * by default, read out as "never") while there is none. `exact` shows the exact time instead.
 */
export function DateTime({
  value,
  empty = 'never',
  exact = false,
}: {
  value: string | null | undefined
  /** What a screen reader says for the dash when there is no time. */
  empty?: string
  exact?: boolean
}) {
  if (!value) return <span aria-label={empty}>—</span>
  const parsed = dayjs(value)
  if (!parsed.isValid()) return <time dateTime={value}>{value}</time>
  if (exact) return <time dateTime={value}>{exactTime(value)}</time>
  return (
    <Tooltip title={exactTime(value)}>
      <time dateTime={value} className="date-time">{parsed.fromNow()}</time>
    </Tooltip>
  )
}
