import { describe, expect, it } from 'vitest'
import type { DashboardQuery } from '../../gql/graphql'
import { dayRows, dayTicks, formatDuration, formatRate, hourRows, presentStatuses, sinceFor, startOfDay, startOfHour } from './series'

const HOUR = 3_600_000
const NOW = Date.parse('2026-12-03T12:30:00Z')

function stats(overrides: Partial<DashboardQuery['runStats']> = {}): DashboardQuery['runStats'] {
  const since = startOfHour(NOW) - 3 * HOUR
  return {
    since: new Date(since).toISOString(),
    until: new Date(NOW).toISOString(),
    timeZone: 'UTC',
    runs: 0,
    finished: 0,
    failed: 0,
    failureRate: null,
    p50DurationSeconds: null,
    p95DurationSeconds: null,
    runsPerHour: [],
    tokensPerDay: [],
    ...overrides,
  }
}

describe('sinceFor', () => {
  it('starts a range on a whole hour, the current hour being its last', () => {
    expect(Date.parse(sinceFor('24h', NOW))).toBe(startOfHour(NOW) - 23 * HOUR)
    expect(Date.parse(sinceFor('7d', NOW))).toBe(startOfHour(NOW) - (7 * 24 - 1) * HOUR)
    expect(Date.parse(sinceFor('30d', NOW))).toBe(startOfHour(NOW) - (30 * 24 - 1) * HOUR)
  })
})

describe('hourRows', () => {
  it('has every hour of the window, with zeros where no run was created', () => {
    const first = startOfHour(NOW) - 3 * HOUR
    const rows = hourRows(
      stats({
        runsPerHour: [
          { hour: new Date(first + HOUR).toISOString(), status: 'FAILED', runs: 2 },
          { hour: new Date(first + HOUR).toISOString(), status: 'SUCCEEDED', runs: 5 },
        ],
      }),
    )
    expect(rows.map((row) => row.at)).toEqual([first, first + HOUR, first + 2 * HOUR, first + 3 * HOUR])
    expect(rows[1]).toMatchObject({ FAILED: 2, SUCCEEDED: 5, RUNNING: 0 })
    expect(rows[0].SUCCEEDED).toBe(0)
    expect(presentStatuses(rows)).toEqual(['SUCCEEDED', 'FAILED'])
  })

  it('puts a range of days’ axis labels on the first hour of each day', () => {
    const since = startOfDay(NOW) - 30 * HOUR
    const rows = hourRows(stats({ since: new Date(since).toISOString() }))
    expect(dayTicks(rows)).toEqual([startOfDay(since + 24 * HOUR), startOfDay(NOW)])
  })
})

describe('dayRows', () => {
  it('has every day the window touches, with the usage of the days that had some', () => {
    const since = NOW - 2 * 24 * HOUR
    const today = startOfDay(NOW)
    const rows = dayRows(
      stats({
        since: new Date(since).toISOString(),
        tokensPerDay: [{ day: new Date(today).toISOString(), inputTokens: 120, outputTokens: 30, requests: 4 }],
      }),
    )
    expect(rows.map((row) => row.at)).toEqual([startOfDay(since), startOfDay(since + 24 * HOUR), today])
    expect(rows.at(-1)).toEqual({ at: today, input: 120, output: 30, requests: 4 })
    expect(rows[0].input).toBe(0)
  })
})

describe('formatting', () => {
  it('writes durations in the largest sensible units', () => {
    expect(formatDuration(0.25)).toBe('250 ms')
    expect(formatDuration(12.34)).toBe('12.3 s')
    expect(formatDuration(85)).toBe('1 min 25 s')
    expect(formatDuration(7500)).toBe('2 h 5 min')
  })

  it('writes a failure rate as a percentage', () => {
    expect(formatRate(3 / 7)).toBe('42.9 %')
    expect(formatRate(0)).toBe('0.0 %')
  })
})
