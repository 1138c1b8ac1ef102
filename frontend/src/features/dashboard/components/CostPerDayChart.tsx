import { theme } from 'antd'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { formatUsd, seriesCost, utcDayName, type CostRow, type CostSeries } from '../costs'
import { formatCount } from '../series'
import { ChartFigure, type FigureColumn } from './ChartFigure'

const TITLE = 'Cost per day'

/** The stacks' colours, from the theme's palette (not its status colours, which mean success or failure). */
function usePalette(): readonly string[] {
  const { token } = theme.useToken()
  return [token.colorPrimary, token.cyan6, token.gold6, token.purple6, token.green6]
}

/** What each UTC day's runs cost in US dollars, stacked by model; the table lists every day. */
export function CostPerDayChart({ rows, series }: { rows: readonly CostRow[]; series: readonly CostSeries[] }) {
  const palette = usePalette()
  const columns: FigureColumn<CostRow>[] = [
    { title: 'Day (UTC)', cell: (row) => utcDayName(row.at) },
    { title: 'Cost', cell: (row) => formatUsd(row.costUsd) },
    { title: 'Runs', cell: (row) => formatCount(row.runs) },
    ...series.map((item) => ({ title: item.name, cell: (row: CostRow) => formatUsd(seriesCost(row, item)) })),
  ]
  return (
    <ChartFigure title={TITLE} rows={rows} columns={columns} rowKey={(row) => row.at}>
      <BarChart data={[...rows]} responsive style={{ width: '100%', height: 280 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} strokeDasharray="3 3" />
        <XAxis dataKey="at" tickFormatter={(at: number) => utcDayName(at)} minTickGap={16} />
        <YAxis tickFormatter={(value: number) => compactUsd.format(value)} width={56} />
        <Tooltip labelFormatter={(at) => `${utcDayName(Number(at))} (UTC)`} formatter={(value) => formatUsd(Number(value))} />
        <Legend itemSorter={null} />
        {series.map((item, index) => (
          <Bar
            key={item.name}
            // a function, not the model's name: recharts reads a dotted key ("gpt-4.1") as a path
            dataKey={(row: CostRow) => seriesCost(row, item)}
            name={item.name}
            stackId="cost"
            fill={palette[index % palette.length]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </ChartFigure>
  )
}

const compactUsd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 })
