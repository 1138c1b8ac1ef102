import { Card, Col, Empty, Flex, Row, Spin } from 'antd'
import { useMemo } from 'react'
import { LoadError } from '../../../components/LoadError'
import type { CostsQuery } from '../../../gql/graphql'
import { costRows, costSeries, totalCost, unpricedModels, type CostWindow } from '../costs'
import { CostCard } from './CostCard'
import { CostPerDayChart } from './CostPerDayChart'

/**
 * The Cost card and the Cost per day chart, from `costs` over the UTC days of the page's window. They
 * load and fail apart from the other figures: an error here leaves those standing.
 */
export function CostFigures({
  costs,
  utcDays,
  loading,
  error,
  onRetry,
}: {
  costs: CostsQuery['costs'] | undefined
  utcDays: CostWindow
  loading: boolean
  error: Error | undefined
  onRetry: () => void
}) {
  const rows = useMemo(() => (costs ? costRows(costs, utcDays) : []), [costs, utcDays])
  const series = useMemo(() => (costs ? costSeries(costs) : []), [costs])
  const unpriced = useMemo(() => (costs ? unpricedModels(costs) : []), [costs])
  return (
    <Flex vertical gap={16}>
      {error ? <LoadError what="The costs" error={error} onRetry={onRetry} /> : null}
      {!costs ? (
        loading ? <Spin description="Loading the costs" /> : null
      ) : (
        <Spin spinning={loading} description="Loading the costs">
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={6}>
              <CostCard total={totalCost(costs)} utcDays={utcDays} unpriced={unpriced} />
            </Col>
            <Col xs={24} lg={18}>
              <Card title="Cost per day" size="small">
                {costs.length > 0 ? (
                  <CostPerDayChart rows={rows} series={series} />
                ) : (
                  <Empty description="No runs on these days." />
                )}
              </Card>
            </Col>
          </Row>
        </Spin>
      )}
    </Flex>
  )
}
