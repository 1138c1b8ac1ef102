import { theme } from 'antd'
import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import type { RunStatus } from '../../../gql/graphql'
import { axisLabel, dayTicks, formatCount, hourName, presentStatuses, type HourRow, type RangeKey } from '../series'
import { ChartFigure, type FigureColumn } from './ChartFigure'

const TITLE = 'Runs per hour by status'

/** Each status's colour, from the theme's tokens (the run pages' tags use the same meanings). */
function useStatusColors(): Record<RunStatus, string> {
  const { token } = theme.useToken()
  return {
    SUCCEEDED: token.colorSuccess,
    FAILED: token.colorError,
    CANCELLED: token.colorTextQuaternary,
    WAITING: token.colorWarning,
    RUNNING: token.colorPrimary,
    PENDING: token.colorBorder,
  }
}

/** Runs created in each hour, stacked by their status now; the table lists the hours that had runs. */
export function RunsPerHourChart({ rows, range }: { rows: readonly HourRow[]; range: RangeKey }) {
  const colors = useStatusColors()
  const statuses = useMemo(() => presentStatuses(rows), [rows])
  // a range of days labels each day once, at its first hour (hourly ticks would repeat the date)
  const ticks = useMemo(() => (range === '24h' ? undefined : dayTicks(rows)), [rows, range])
  const withRuns = useMemo(() => rows.filter((row) => statuses.some((status) => row[status] > 0)), [rows, statuses])
  const columns: FigureColumn<HourRow>[] = [
    { title: 'Hour', cell: (row) => hourName(row.at) },
    ...statuses.map((status) => ({ title: status, cell: (row: HourRow) => formatCount(row[status]) })),
  ]
  return (
    <ChartFigure title={TITLE} rows={withRuns} columns={columns} rowKey={(row) => row.at}>
      <BarChart
        data={[...rows]}
        responsive
        style={{ width: '100%', height: 280 }}
        accessibilityLayer={false}
        // hundreds of hourly bars in a range of days: no gaps, or the bars vanish between them
        barCategoryGap={range === '24h' ? '15%' : 0}
      >
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="at" ticks={ticks} tickFormatter={(at: number) => axisLabel(at, range)} minTickGap={24} />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip labelFormatter={(at) => hourName(Number(at))} />
        <Legend itemSorter={null} />
        {statuses.map((status) => (
          <Bar key={status} dataKey={status} name={status} stackId="runs" fill={colors[status]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFigure>
  )
}
