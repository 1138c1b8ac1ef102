import { ReloadOutlined } from '@ant-design/icons'
import { useQuery } from '@apollo/client/react'
import { Button, Card, Col, Empty, Flex, Row, Segmented, Select, Spin, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { LoadError } from '../../../components/LoadError'
import { CostsDocument, DashboardDocument, DashboardWorkflowsDocument } from '../../../gql/graphql'
import { costWindow } from '../costs'
import '../dashboard.css'
import { browserTimeZone, dayRows, hourRows, RANGES, sinceFor, type RangeKey } from '../series'
import { CostFigures } from './CostFigures'
import { RunsPerHourChart } from './RunsPerHourChart'
import { StatCards } from './StatCards'
import { TokensPerDayChart } from './TokensPerDayChart'

const EVERY = 'ALL'

/**
 * The workspace's figures from `runStats` over the last 24 hours, 7 days or 30 days, of every
 * workflow or one: runs per hour by status, failure rate, durations and tokens per day; and from
 * `costs` over the UTC days of that window, what the runs cost in all and per day by model.
 */
export default function DashboardPage() {
  const [range, setRange] = useState<RangeKey>('24h')
  const [workflowId, setWorkflowId] = useState<string | null>(null)
  const [now, setNow] = useState(() => Date.now())
  const [timeZone] = useState(browserTimeZone)
  const since = useMemo(() => sinceFor(range, now), [range, now])
  const { data, previousData, loading, error, refetch } = useQuery(DashboardDocument, {
    variables: { since, workflowId, timeZone },
  })
  const utcDays = useMemo(() => costWindow(since, now), [since, now])
  const costs = useQuery(CostsDocument, { variables: { ...utcDays, workflowId } })
  const workflows = useQuery(DashboardWorkflowsDocument)
  const stats = (data ?? previousData)?.runStats
  const hours = useMemo(() => (stats ? hourRows(stats) : []), [stats])
  const days = useMemo(() => (stats ? dayRows(stats) : []), [stats])
  const caption = RANGES.find((item) => item.key === range)?.caption ?? ''
  const workflowOptions = [
    { value: EVERY, label: 'Every workflow' },
    ...(workflows.data?.workflows.edges ?? []).map(({ node }) => ({ value: node.id, label: node.name })),
  ]

  function refresh() {
    // within the same hour (or UTC day) the variables stay the same, which Apollo answers from its cache
    const next = Date.now()
    if (sinceFor(range, next) === since) void refetch()
    const nextDays = costWindow(sinceFor(range, next), next)
    if (nextDays.from === utcDays.from && nextDays.to === utcDays.to) void costs.refetch()
    setNow(next)
  }

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          Dashboard
        </Typography.Title>
        <Flex gap={8} wrap align="center">
          <Segmented<RangeKey>
            aria-label="Range"
            value={range}
            options={RANGES.map((item) => ({ value: item.key, label: item.label, title: item.caption }))}
            onChange={(value) => {
              setRange(value)
              setNow(Date.now())
            }}
          />
          <Select<string>
            aria-label="Workflow"
            value={workflowId ?? EVERY}
            style={{ width: 220 }}
            showSearch={{ optionFilterProp: 'label' }}
            loading={workflows.loading}
            options={workflowOptions}
            onChange={(value) => setWorkflowId(value === EVERY ? null : value)}
          />
          <Button icon={<ReloadOutlined />} onClick={refresh}>
            Refresh
          </Button>
        </Flex>
      </Flex>
      {error ? <LoadError what="The figures" error={error} onRetry={() => void refetch()} /> : null}
      {!stats ? (
        loading ? <Spin description="Loading the figures" /> : null
      ) : (
        <Spin spinning={loading} description="Loading the figures">
          <Flex vertical gap={16}>
            <StatCards stats={stats} />
            {stats.runs === 0 && stats.tokensPerDay.length === 0 ? (
              <Card>
                <Empty description={`No runs in ${caption}${workflowId ? ' of this workflow' : ''}.`} />
              </Card>
            ) : (
              <Row gutter={[16, 16]}>
                <Col xs={24} xl={15}>
                  <Card title="Runs per hour" size="small">
                    <RunsPerHourChart rows={hours} range={range} />
                  </Card>
                </Col>
                <Col xs={24} xl={9}>
                  <Card title="Tokens per day" size="small">
                    <TokensPerDayChart rows={days} />
                  </Card>
                </Col>
              </Row>
            )}
          </Flex>
        </Spin>
      )}
      <CostFigures
        costs={(costs.data ?? costs.previousData)?.costs}
        utcDays={utcDays}
        loading={costs.loading}
        error={costs.error}
        onRetry={() => void costs.refetch()}
      />
    </Flex>
  )
}
