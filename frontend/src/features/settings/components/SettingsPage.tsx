import { Flex, Tabs, Typography } from 'antd'
import { Navigate, useNavigate, useParams } from 'react-router'
import { can } from '../roles'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { BudgetsTab } from './BudgetsTab'
import { CredentialsTab } from './CredentialsTab'
import { GeneralTab } from './GeneralTab'
import { MembersTab } from './MembersTab'
import { TokensTab } from './TokensTab'

/**
 * The workspace's settings, one tab each, the tab in the URL (`/w/:workspace/settings/:tab`). Each
 * tab shows only what the person's role allows; the API refuses the rest anyway.
 */
export default function SettingsPage() {
  const { workspace = '', tab = 'general' } = useParams()
  const navigate = useNavigate()
  const current = useCurrentWorkspace()
  const role = current?.role
  const items = [
    { key: 'general', label: 'General', children: <GeneralTab /> },
    { key: 'members', label: 'Members', children: <MembersTab /> },
    { key: 'credentials', label: 'Credentials', children: <CredentialsTab /> },
    { key: 'budgets', label: 'Budgets', children: <BudgetsTab /> },
    ...(can(role, 'manage') ? [{ key: 'tokens', label: 'API tokens', children: <TokensTab /> }] : []),
  ]
  if (!items.some((item) => item.key === tab)) return <Navigate to={`/w/${workspace}/settings/general`} replace />
  return (
    <Flex vertical gap={8}>
      <Typography.Title level={2} style={{ margin: 0 }}>
        Settings
      </Typography.Title>
      <Tabs
        activeKey={tab}
        items={items}
        destroyOnHidden
        onChange={(key) => void navigate(`/w/${workspace}/settings/${key}`)}
      />
    </Flex>
  )
}
