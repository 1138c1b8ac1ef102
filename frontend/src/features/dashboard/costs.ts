// Pure shaping of `costs` for the Cost card and chart: the UTC days a window touches, dense days,
// the models drawn as stacks, dollar amounts.
import type { CostsQuery } from '../../gql/graphql'

type CostDay = CostsQuery['costs'][number]

const DAY = 86_400_000

/** The most models drawn as stacks of their own; the rest share one stack (a legend of 12 is unreadable). */
export const MAX_MODEL_SERIES = 5

/** The `costs` query's window: the UTC dates (`YYYY-MM-DD`, both included) of a window's first and last instants. */
export interface CostWindow {
  from: string
  to: string
}

/**
 * The UTC days from `since` to `now`: `costs` adds up whole UTC days, so its window starts at the
 * UTC midnight before `since` and may hold a few runs from before it.
 */
export function costWindow(since: string, now: number): CostWindow {
  return { from: new Date(since).toISOString().slice(0, 10), to: new Date(now).toISOString().slice(0, 10) }
}

/** A `Date` scalar (`YYYY-MM-DD`, which `Date.parse` reads as UTC midnight), or NaN if it is not one. */
function utcMidnight(day: unknown): number {
  return typeof day === 'string' ? Date.parse(day) : Number.NaN
}

/** One bar of the cost chart: a UTC day, its cost in USD, and each model's part of it. */
export interface CostRow {
  at: number
  costUsd: number
  runs: number
  byModel: Readonly<Record<string, number>>
}

/** Every UTC day of `window` (days without runs as zeros), oldest first. */
export function costRows(costs: readonly CostDay[], window: CostWindow): CostRow[] {
  const rows = new Map<number, CostRow>()
  for (let at = utcMidnight(window.from); at <= utcMidnight(window.to); at += DAY) {
    rows.set(at, { at, costUsd: 0, runs: 0, byModel: {} })
  }
  for (const day of costs) {
    const at = utcMidnight(day.day)
    if (Number.isNaN(at)) continue
    const byModel: Record<string, number> = {}
    for (const model of day.byModel) byModel[model.model] = (byModel[model.model] ?? 0) + model.costUsd
    rows.set(at, { at, costUsd: day.costUsd, runs: day.runs, byModel })
  }
  return [...rows.values()].sort((a, b) => a.at - b.at)
}

/** A stack of the cost chart and a column of its table: one model, or the models that share "Other models". */
export interface CostSeries {
  name: string
  models: readonly string[]
}

/** What the models of `series` cost on the day of `row`. */
export function seriesCost(row: CostRow, series: CostSeries): number {
  return series.models.reduce((sum, model) => sum + (row.byModel[model] ?? 0), 0)
}

/**
 * The stacks to draw, the costliest model of the window first (then by name); past
 * `MAX_MODEL_SERIES` models, the cheapest share one stack. Unpriced models say so in their name.
 */
export function costSeries(costs: readonly CostDay[]): CostSeries[] {
  const totals = new Map<string, number>()
  for (const day of costs) {
    for (const model of day.byModel) totals.set(model.model, (totals.get(model.model) ?? 0) + model.costUsd)
  }
  const unpriced = new Set(unpricedModels(costs))
  const models = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || a.localeCompare(b))
  const named = (model: string) => ({ name: unpriced.has(model) ? `${model} (unpriced)` : model, models: [model] })
  if (models.length <= MAX_MODEL_SERIES) return models.map(named)
  const kept = models.slice(0, MAX_MODEL_SERIES - 1)
  return [...kept.map(named), { name: 'Other models', models: models.slice(MAX_MODEL_SERIES - 1) }]
}

/** The models of the window the price table does not know (they count as $0), by name. */
export function unpricedModels(costs: readonly CostDay[]): string[] {
  const models = new Set(costs.flatMap((day) => day.byModel.filter((model) => !model.priced).map((model) => model.model)))
  return [...models].sort((a, b) => a.localeCompare(b))
}

/** What the runs of the window cost in all, in USD. */
export function totalCost(costs: readonly CostDay[]): number {
  return costs.reduce((sum, day) => sum + day.costUsd, 0)
}

const cents = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })
const fractions = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 })
const SMALLEST = 0.0001

/**
 * An amount in US dollars: cents from $1 ("$12.35"), up to four decimals below ("$0.0123", "$0.50"),
 * "$0.00" for nothing and "< $0.0001" for less than shows (model calls often cost fractions of a cent).
 */
export function formatUsd(value: number): string {
  if (value === 0) return cents.format(0)
  if (Math.abs(value) < SMALLEST / 2) return `< ${fractions.format(SMALLEST)}`
  return Math.abs(value) >= 1 ? cents.format(value) : fractions.format(value)
}

const utcDayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' })

/** A UTC day (its midnight), for axis labels, tooltips and table rows: "Dec 3". */
export function utcDayName(at: number): string {
  return utcDayLabel.format(at)
}

/** The days of `window` for people: "Dec 3 (UTC)" or "Nov 27 – Dec 3 (UTC)". */
export function windowName(window: CostWindow): string {
  const from = utcDayName(utcMidnight(window.from))
  return window.from === window.to ? `${from} (UTC)` : `${from} – ${utcDayName(utcMidnight(window.to))} (UTC)`
}
