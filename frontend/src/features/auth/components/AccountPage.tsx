import { Button, Space, Tag, Typography } from 'antd'
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
      {session.workspaces.length === 0 ? (
        <Typography.Paragraph>You belong to no workspace yet. Ask an admin for an invitation.</Typography.Paragraph>
      ) : (
        <ul aria-label="Your workspaces" style={{ listStyle: 'none', padding: 0 }}>
          {session.workspaces.map((workspace) => (
            <li key={workspace.id} style={{ padding: '8px 0' }}>
              <Space>
                <Link to={`/w/${workspace.slug}/workflows`}>{workspace.name}</Link>
                <Typography.Text type="secondary">{workspace.slug}</Typography.Text>
                <Tag>{workspace.role.toLowerCase()}</Tag>
              </Space>
            </li>
          ))}
        </ul>
      )}
      <Typography.Paragraph type="secondary">
        Programs use the GraphQL API at /graphql with a token (flowloom token create).
      </Typography.Paragraph>
      <Button onClick={() => void signOut().then(() => navigate('/signin'))}>Sign out</Button>
    </AuthCard>
  )
}
