import { ApolloProvider } from '@apollo/client/react'
import { Button, Layout, Result, Select, Space, Spin, Typography } from 'antd'
import { Suspense, useMemo } from 'react'
import { Link, NavLink, Outlet, useNavigate, useParams } from 'react-router'
import { createApolloClient } from './apollo'
import { useSession } from './sessionContext'

const PAGES = [
  { path: 'workflows', label: 'Workflows' },
  { path: 'runs', label: 'Runs' },
  { path: 'dashboard', label: 'Dashboard' },
  { path: 'inbox', label: 'Inbox' },
  { path: 'knowledge', label: 'Knowledge' },
  { path: 'settings', label: 'Settings' },
] as const

/**
 * The signed-in frame: a header with the workspace switcher and sign-out, and one Apollo client for
 * the workspace named in the URL (so a reload or a shared link keeps it; nothing goes to storage).
 */
export function WorkspaceLayout() {
  const { session, signOut, refresh } = useSession()
  const { workspace = '' } = useParams()
  const navigate = useNavigate()
  const csrfToken = session?.csrfToken ?? ''
  const client = useMemo(
    () => createApolloClient({ csrfToken, workspace, onSessionChanged: () => void refresh() }),
    [csrfToken, workspace, refresh],
  )
  const current = session?.workspaces.find((item) => item.slug === workspace)

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16 }}>
        <Typography.Title level={4} style={{ color: 'inherit', margin: 0, flex: 1 }}>
          <Link to={`/w/${workspace}/workflows`} style={{ color: 'white' }}>
            Flowloom
          </Link>
        </Typography.Title>
        <nav aria-label="Pages">
          <Space size="middle">
            {PAGES.map((page) => (
              <NavLink key={page.path} to={`/w/${workspace}/${page.path}`} style={{ color: 'white' }}>
                {page.label}
              </NavLink>
            ))}
          </Space>
        </nav>
        <Space>
          <Select
            aria-label="Workspace"
            value={workspace}
            style={{ minWidth: 180 }}
            options={(session?.workspaces ?? []).map((item) => ({ value: item.slug, label: item.name }))}
            onChange={(slug: string) => void navigate(`/w/${slug}/workflows`)}
          />
          <Link to="/account" style={{ color: 'white' }}>
            {session?.user.displayName || session?.user.email}
          </Link>
          <Button
            onClick={() => {
              void signOut().then(() => navigate('/signin'))
            }}
          >
            Sign out
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        {current ? (
          <ApolloProvider client={client}>
            <Suspense fallback={<Spin description="Loading the page" />}>
              <Outlet />
            </Suspense>
          </ApolloProvider>
        ) : (
          <Result status="404" title="No such workspace" subTitle={`You are not a member of “${workspace}”.`} />
        )}
      </Layout.Content>
    </Layout>
  )
}
