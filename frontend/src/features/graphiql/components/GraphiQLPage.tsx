import 'graphiql/setup-workers/vite'
import 'graphiql/style.css'
import { GraphiQL } from 'graphiql'
import { Result, Select, Space, Typography } from 'antd'
import { useMemo } from 'react'
import { Link, useSearchParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { createScopedFetcher, memoryStorage } from '../api/fetcher'

const DEFAULT_QUERY = '# Queries run in the workspace chosen above, as you.\n{\n  viewer {\n    email\n  }\n}\n'

/**
 * GraphiQL bundled into the app (no CDN), acting as the signed-in person in one workspace: the one in
 * `?workspace=`, else their first. Loaded on its own (a lazy route): the editor is large.
 */
export default function GraphiQLPage() {
  const { session } = useSession()
  const [params, setParams] = useSearchParams()
  const workspace = params.get('workspace') ?? session?.workspaces[0]?.slug ?? ''
  const csrfToken = session?.csrfToken ?? ''
  const fetcher = useMemo(() => createScopedFetcher({ csrfToken, workspace }), [csrfToken, workspace])
  const storage = useMemo(() => memoryStorage(), [])
  const known = session?.workspaces.some((item) => item.slug === workspace) ?? false

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
      <Space style={{ padding: '8px 16px' }}>
        <Typography.Text strong>
          <Link to={workspace ? `/w/${workspace}/workflows` : '/'}>Flowloom</Link> GraphiQL
        </Typography.Text>
        <Select
          aria-label="Workspace"
          value={workspace}
          style={{ minWidth: 180 }}
          options={(session?.workspaces ?? []).map((item) => ({ value: item.slug, label: item.name }))}
          onChange={(slug: string) => setParams({ workspace: slug })}
        />
      </Space>
      <div style={{ flex: 1, minHeight: 0 }}>
        {known ? (
          // a new fetcher per workspace: the key starts a fresh editor state with its own schema
          <GraphiQL key={workspace} fetcher={fetcher} storage={storage} initialQuery={DEFAULT_QUERY} />
        ) : (
          <Result status="404" title="No such workspace" subTitle={`You are not a member of “${workspace}”.`} />
        )}
      </div>
    </div>
  )
}
