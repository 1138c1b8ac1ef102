import { Card, Col, Row, Statistic } from 'antd'
import type { ReactNode } from 'react'
import type { DashboardQuery } from '../../../gql/graphql'
import { formatCount, formatDuration, formatRate } from '../series'

type Stats = DashboardQuery['runStats']

const NONE = '—'

/** One figure in a card, named for assistive technology by its title, with a note on what it counts. */
export function StatCard({ title, value, note }: { title: string; value: string; note: ReactNode }) {
  return (
    <Card role="group" aria-label={title} size="small">
      <Statistic title={title} value={value} />
      <div className="dashboard-note">{note}</div>
    </Card>
  )
}

function Figure({ title, value, note }: { title: string; value: string; note: string }) {
  return (
    <Col xs={24} sm={12} lg={6}>
      <StatCard title={title} value={value} note={note} />
    </Col>
  )
}

/** Runs, failure rate and the p50/p95 durations of the window's finished runs. */
export function StatCards({ stats }: { stats: Stats }) {
  const noneFinished = 'no finished runs'
  return (
    <Row gutter={[16, 16]}>
      <Figure title="Runs" value={formatCount(stats.runs)} note={`${formatCount(stats.finished)} finished`} />
      <Figure
        title="Failure rate"
        value={stats.failureRate == null ? NONE : formatRate(stats.failureRate)}
        note={stats.finished ? `${formatCount(stats.failed)} of ${formatCount(stats.finished)} finished runs failed` : noneFinished}
      />
      <Figure
        title="p95 duration"
        value={stats.p95DurationSeconds == null ? NONE : formatDuration(stats.p95DurationSeconds)}
        note={stats.p95DurationSeconds == null ? noneFinished : '95 % of finished runs took at most this'}
      />
      <Figure
        title="Median duration"
        value={stats.p50DurationSeconds == null ? NONE : formatDuration(stats.p50DurationSeconds)}
        note={stats.p50DurationSeconds == null ? noneFinished : 'start to finish, finished runs'}
      />
    </Row>
  )
}
