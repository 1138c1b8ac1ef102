import { Button, List, Space, Tag, Typography } from 'antd'
import { Link, useNavigate } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { AuthCard } from '../../../components/AuthCard'

/** Who is signed in and their workspaces (each opens its workflows), with sign-out. */
export function AccountPage() {
  const { session, signOut } = useSession()
  const navigate = useNavigate()
  if (!session) return null
  return (
    <AuthCard title={`Signed in as ${session.user.email}`}>
      <List
        aria-label="Your workspaces"
        dataSource={session.workspaces}
        locale={{ emptyText: 'You belong to no workspace yet. Ask an admin for an invitation.' }}
        renderItem={(workspace) => (
          <List.Item>
            <Space>
              <Link to={`/w/${workspace.slug}/workflows`}>{workspace.name}</Link>
              <Typography.Text type="secondary">{workspace.slug}</Typography.Text>
              <Tag>{workspace.role.toLowerCase()}</Tag>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Paragraph type="secondary">
        Programs use the GraphQL API at /graphql with a token (flowloom token create).
      </Typography.Paragraph>
      <Button onClick={() => void signOut().then(() => navigate('/signin'))}>Sign out</Button>
    </AuthCard>
  )
}
