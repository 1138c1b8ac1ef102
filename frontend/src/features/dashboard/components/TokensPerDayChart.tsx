import { theme } from 'antd'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { dayName, formatCount, type DayRow } from '../series'
import { ChartFigure, type FigureColumn } from './ChartFigure'

const TITLE = 'Tokens per day'

const COLUMNS: readonly FigureColumn<DayRow>[] = [
  { title: 'Day', cell: (row) => dayName(row.at) },
  { title: 'Input tokens', cell: (row) => formatCount(row.input) },
  { title: 'Output tokens', cell: (row) => formatCount(row.output) },
  { title: 'Model requests', cell: (row) => formatCount(row.requests) },
]

/** Input and output tokens the runs of each day spent, stacked. */
export function TokensPerDayChart({ rows }: { rows: readonly DayRow[] }) {
  const { token } = theme.useToken()
  return (
    <ChartFigure title={TITLE} rows={rows} columns={COLUMNS} rowKey={(row) => row.at}>
      <BarChart data={[...rows]} responsive style={{ width: '100%', height: 280 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="at" tickFormatter={(at: number) => dayName(at)} minTickGap={16} />
        <YAxis tickFormatter={(value: number) => compact.format(value)} width={48} />
        <Tooltip labelFormatter={(at) => dayName(Number(at))} formatter={(value) => formatCount(Number(value))} />
        <Legend itemSorter={null} />
        <Bar dataKey="input" name="Input tokens" stackId="tokens" fill={token.colorPrimary} isAnimationActive={false} />
        <Bar dataKey="output" name="Output tokens" stackId="tokens" fill={token.colorInfoBorder} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  )
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact' })
