import { Typography } from 'antd'
import { formatUsd, windowName, type CostWindow } from '../costs'
import { StatCard } from './StatCards'

/**
 * What the window's runs cost, over the whole UTC days it touches, and which of their models the
 * price table does not know (they count as $0, so the total is then a floor).
 */
export function CostCard({ total, utcDays, unpriced }: { total: number; utcDays: CostWindow; unpriced: readonly string[] }) {
  return (
    <StatCard
      title="Cost"
      value={formatUsd(total)}
      note={
        <>
          <div>{windowName(utcDays)}</div>
          {unpriced.length > 0 ? (
            <Typography.Text type="warning" className="dashboard-note">
              Unpriced models, counted as $0: {unpriced.join(', ')}
            </Typography.Text>
          ) : null}
        </>
      }
    />
  )
}
