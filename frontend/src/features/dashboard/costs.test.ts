import { describe, expect, it } from 'vitest'
import type { CostsQuery } from '../../gql/graphql'
import { costRows, costSeries, costWindow, formatUsd, MAX_MODEL_SERIES, seriesCost, totalCost, unpricedModels, windowName } from './costs'

type CostDay = CostsQuery['costs'][number]

function day(date: string, byModel: [model: string, costUsd: number, priced?: boolean][]): CostDay {
  return {
    day: date,
    costUsd: byModel.reduce((sum, [, costUsd]) => sum + costUsd, 0),
    inputTokens: 0,
    outputTokens: 0,
    runs: 1,
    byModel: byModel.map(([model, costUsd, priced = true]) => ({ model, costUsd, inputTokens: 0, outputTokens: 0, priced })),
  }
}

describe('costWindow', () => {
  it('covers the UTC days of the first and the last instant of the window', () => {
    expect(costWindow('2026-12-02T13:00:00.000Z', Date.parse('2026-12-03T12:30:00Z'))).toEqual({ from: '2026-12-02', to: '2026-12-03' })
    expect(costWindow('2026-12-03T00:00:00.000Z', Date.parse('2026-12-03T23:30:00Z'))).toEqual({ from: '2026-12-03', to: '2026-12-03' })
  })

  it('is named for people by its first and last day', () => {
    expect(windowName({ from: '2026-11-26', to: '2026-12-03' })).toBe('Nov 26 – Dec 3 (UTC)')
    expect(windowName({ from: '2026-12-03', to: '2026-12-03' })).toBe('Dec 3 (UTC)')
  })
})

describe('costRows', () => {
  it('has every day of the window, with zeros for the days without runs', () => {
    const rows = costRows([day('2026-12-02', [['a', 0.5], ['b', 0.25]])], { from: '2026-12-01', to: '2026-12-03' })
    expect(rows.map((row) => new Date(row.at).toISOString().slice(0, 10))).toEqual(['2026-12-01', '2026-12-02', '2026-12-03'])
    expect(rows[1]).toMatchObject({ costUsd: 0.75, runs: 1, byModel: { a: 0.5, b: 0.25 } })
    expect(rows[0]).toMatchObject({ costUsd: 0, runs: 0, byModel: {} })
  })
})

describe('costSeries', () => {
  it('stacks the costliest model of the window first, and marks the unpriced ones', () => {
    const costs = [day('2026-12-02', [['cheap', 0.1], ['dear', 0.2]]), day('2026-12-03', [['cheap', 0.05], ['local', 0, false]])]
    expect(costSeries(costs)).toEqual([
      { name: 'dear', models: ['dear'] },
      { name: 'cheap', models: ['cheap'] },
      { name: 'local (unpriced)', models: ['local'] },
    ])
    expect(unpricedModels(costs)).toEqual(['local'])
    expect(totalCost(costs)).toBeCloseTo(0.35)
  })

  it(`puts the cheapest models past ${MAX_MODEL_SERIES} in one stack`, () => {
    const costs = [day('2026-12-03', [['m1', 6], ['m2', 5], ['m3', 4], ['m4', 3], ['m5', 2], ['m6', 1]])]
    const series = costSeries(costs)
    expect(series.map((item) => item.name)).toEqual(['m1', 'm2', 'm3', 'm4', 'Other models'])
    const [row] = costRows(costs, { from: '2026-12-03', to: '2026-12-03' })
    expect(seriesCost(row, series[4])).toBe(3)
  })
})

describe('formatUsd', () => {
  it('writes cents from a dollar, up to four decimals below', () => {
    expect(formatUsd(0)).toBe('$0.00')
    expect(formatUsd(0.0123)).toBe('$0.0123')
    expect(formatUsd(0.012345)).toBe('$0.0123')
    expect(formatUsd(0.5)).toBe('$0.50')
    expect(formatUsd(1234.567)).toBe('$1,234.57')
  })

  it('does not round a cost to nothing', () => {
    expect(formatUsd(0.00001)).toBe('< $0.0001')
  })
})
