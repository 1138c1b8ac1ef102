import { Spin } from 'antd'
import { lazy, Suspense } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { AccountPage } from '../features/auth/components/AccountPage'
import { InvitePage } from '../features/auth/components/InvitePage'
import { ResetPasswordPage } from '../features/auth/components/ResetPasswordPage'
import { SetupPage } from '../features/auth/components/SetupPage'
import { SignInPage } from '../features/auth/components/SignInPage'
import { WorkflowsPage } from '../features/workflows/components/WorkflowsPage'
import { LoadError } from '../components/LoadError'
import { EditorWorkflowDocument } from '../gql/graphql'
import { chunk, useChunk } from '../lib/chunk'
import { preloadQuery } from './preloadedQueries'
import { RequireSession } from './RequireSession'
import { useSession } from './sessionContext'
import { WorkspaceLayout } from './WorkspaceLayout'

// GraphiQL's editor (Monaco) is larger than the rest of the app: its own chunk, fetched when opened
const GraphiQLPage = lazy(() => import('../features/graphiql/components/GraphiQLPage'))
// The first page after sign-in is Workflows; every other workspace page (and the antd components only
// it uses) is fetched when opened. WorkspaceLayout shows a spinner meanwhile.
const RunsPage = lazy(() => import('../features/runs/components/RunsPage').then((m) => ({ default: m.RunsPage })))
const InboxPage = lazy(() => import('../features/inbox/components/InboxPage').then((m) => ({ default: m.InboxPage })))
const SettingsPage = lazy(() => import('../features/settings/components/SettingsPage'))
const RunViewPage = lazy(() => import('../features/runview/components/RunViewPage'))
const KnowledgePage = lazy(() => import('../features/knowledge/components/KnowledgePage'))
const DashboardPage = lazy(() => import('../features/dashboard/components/DashboardPage'))
const CollectionPage = lazy(() => import('../features/knowledge/components/CollectionPage'))
// the workflow editor (React Flow, dagre, the schema forms): its own chunks, fetched when opened, or
// at once when the app starts on an editor URL (a reload, a shared link), together with the workflow
// itself, while the session loads
const editorPage = chunk(() => import('../features/editor/components/EditorPage').then((module) => module.default))
const editorUrl = /^\/w\/([^/]+)\/workflows\/([^/]+)\/?$/.exec(window.location.pathname)
if (editorUrl) {
  void editorPage.start()
  // EditorPage would only ask for its editor chunk once its own chunk is in and evaluated
  void import('../features/editor/components/EditorScreen')
  try {
    preloadQuery(EditorWorkflowDocument, { id: decodeURIComponent(editorUrl[2]) }, decodeURIComponent(editorUrl[1]))
  } catch {
    // a malformed escape in the URL: the page asks for the workflow itself (and says it is not found)
  }
}
/** The editor page, rendered the moment its chunk is in (no Suspense, see lib/chunk). */
function EditorPage() {
  const { value: Page, error } = useChunk(editorPage)
  if (error) return <LoadError what="The editor" error={error} onRetry={() => window.location.reload()} />
  return Page ? <Page /> : <Spin description="Loading the editor" />
}

/** `/`: the first workspace's workflows for a signed-in person, else the sign-in page. */
function Home() {
  const { loading, session } = useSession()
  if (loading) return <Spin fullscreen description="Loading your session" />
  const first = session?.workspaces[0]
  if (!session) return <Navigate to="/signin" replace />
  return first ? <Navigate to={`/w/${first.slug}/workflows`} replace /> : <Navigate to="/account" replace />
}

/** Every route of the app; the account routes keep the paths the server's links point at. */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/signin" element={<SignInPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/invite" element={<InvitePage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route
        path="/account"
        element={
          <RequireSession>
            <AccountPage />
          </RequireSession>
        }
      />
      <Route
        path="/graphql"
        element={
          <RequireSession>
            <Suspense fallback={<Spin fullscreen description="Loading GraphiQL" />}>
              <GraphiQLPage />
            </Suspense>
          </RequireSession>
        }
      />
      <Route
        path="/w/:workspace"
        element={
          <RequireSession>
            <WorkspaceLayout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="workflows" replace />} />
        <Route path="workflows" element={<WorkflowsPage />} />
        <Route
          path="workflows/:workflowId"
          element={<EditorPage />}
        />
        <Route path="runs" element={<RunsPage />} />
        <Route path="dashboard" element={<DashboardPage />} />
        <Route
          path="runs/:runId"
          element={
            <Suspense fallback={<Spin description="Loading the run view" />}>
              <RunViewPage />
            </Suspense>
          }
        />
        <Route path="inbox" element={<InboxPage />} />
        <Route path="knowledge" element={<KnowledgePage />} />
        <Route
          path="knowledge/:collectionId"
          element={
            <Suspense fallback={<Spin description="Loading the collection" />}>
              <CollectionPage />
            </Suspense>
          }
        />
        <Route path="settings" element={<Navigate to="general" replace />} />
        <Route path="settings/:tab" element={<Suspense fallback={<Spin description="Loading settings" />}><SettingsPage /></Suspense>} />
      </Route>
      <Route path="*" element={<Navigate to="/" replace />} />
    </Routes>
  )
}
