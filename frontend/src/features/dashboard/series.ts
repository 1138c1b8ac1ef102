// Pure shaping of `runStats` for the charts: the window a range asks for, dense buckets, labels.
import type { DashboardQuery, RunStatus } from '../../gql/graphql'

export type RangeKey = '24h' | '7d' | '30d'

/** The ranges the dashboard offers, with how many hours each covers. */
export const RANGES: readonly { key: RangeKey; label: string; hours: number; caption: string }[] = [
  { key: '24h', label: '24 h', hours: 24, caption: 'the last 24 hours' },
  { key: '7d', label: '7 d', hours: 7 * 24, caption: 'the last 7 days' },
  { key: '30d', label: '30 d', hours: 30 * 24, caption: 'the last 30 days' },
]

/** Every run status, in the order the stacks are drawn (finished at the bottom). */
export const STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'WAITING', 'RUNNING', 'PENDING']

const HOUR = 3_600_000

/** The start of the hour `at` falls in, in the browser's time zone. */
export function startOfHour(at: number): number {
  const date = new Date(at)
  date.setMinutes(0, 0, 0)
  return date.getTime()
}

/** The start of the day `at` falls in, in the browser's time zone. */
export function startOfDay(at: number): number {
  const date = new Date(at)
  date.setHours(0, 0, 0, 0)
  return date.getTime()
}

/**
 * Where a range starts, as the query's `since`: whole hours, the current one last (so "24 h" is 24
 * bars, the last still filling).
 */
export function sinceFor(range: RangeKey, now: number): string {
  const hours = RANGES.find((item) => item.key === range)?.hours ?? 24
  return new Date(startOfHour(now) - (hours - 1) * HOUR).toISOString()
}

/** The browser's IANA time zone, which the server cuts hours and days in. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

type Stats = DashboardQuery['runStats']

/** One bar of the runs chart: an hour, and how many of its runs are in each status. */
export type HourRow = { at: number } & Record<RunStatus, number>

function emptyHour(at: number): HourRow {
  return { at, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, WAITING: 0, RUNNING: 0, PENDING: 0 }
}

/** Every hour of the window (hours without runs as zeros), oldest first. */
export function hourRows(stats: Stats): HourRow[] {
  const rows = new Map<number, HourRow>()
  const until = Date.parse(stats.until)
  for (let at = startOfHour(Date.parse(stats.since)); at < until; at += HOUR) rows.set(at, emptyHour(at))
  for (const bucket of stats.runsPerHour) {
    const at = Date.parse(bucket.hour)
    const row = rows.get(at) ?? emptyHour(at)
    row[bucket.status] += bucket.runs
    rows.set(at, row)
  }
  return [...rows.values()].sort((a, b) => a.at - b.at)
}

/** The hours of `rows` that start a day: where a range of days puts its axis labels. */
export function dayTicks(rows: readonly HourRow[]): number[] {
  return rows.filter((row) => startOfDay(row.at) === row.at).map((row) => row.at)
}

/** The statuses that occur in `rows` (the chart draws and lists only those), in drawing order. */
export function presentStatuses(rows: readonly HourRow[]): RunStatus[] {
  return STATUSES.filter((status) => rows.some((row) => row[status] > 0))
}

/** One bar of the tokens chart. */
export type DayRow = { at: number; input: number; output: number; requests: number }

/** Every day of the window (days without usage as zeros), oldest first. */
export function dayRows(stats: Stats): DayRow[] {
  const rows = new Map<number, DayRow>()
  const until = Date.parse(stats.until)
  for (let day = new Date(startOfDay(Date.parse(stats.since))); day.getTime() < until; day.setDate(day.getDate() + 1)) {
    rows.set(day.getTime(), { at: day.getTime(), input: 0, output: 0, requests: 0 })
  }
  for (const item of stats.tokensPerDay) {
    const at = Date.parse(item.day)
    rows.set(at, { at, input: item.inputTokens, output: item.outputTokens, requests: item.requests })
  }
  return [...rows.values()].sort((a, b) => a.at - b.at)
}

/** A run duration for people: "850 ms", "12.5 s", "4 min 12 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`
  if (seconds < 3600) {
    const minutes = Math.floor(seconds / 60)
    return `${minutes} min ${Math.round(seconds - minutes * 60)} s`
  }
  const hours = Math.floor(seconds / 3600)
  return `${hours} h ${Math.round((seconds - hours * 3600) / 60)} min`
}

/** A failure rate (0–1) as a percentage with one decimal: "42.9 %". */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`
}

const number = new Intl.NumberFormat()

/** A count with the browser's grouping: "12,345". */
export function formatCount(value: number): string {
  return number.format(value)
}

const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })
const dayHourLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })

/** An axis label: the time of day for a one-day range, else the date. */
export function axisLabel(at: number, range: RangeKey): string {
  return range === '24h' ? hourLabel.format(at) : dayLabel.format(at)
}

/** An hour in full, for tooltips and table rows. */
export function hourName(at: number): string {
  return dayHourLabel.format(at)
}

/** A day in full, for tooltips and table rows. */
export function dayName(at: number): string {
  return dayLabel.format(at)
}
