import { Spin } from 'antd'
import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useSession } from './sessionContext'

/** Renders its children for a signed-in person; sends anyone else to sign in, and back here after. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { loading, session } = useSession()
  const location = useLocation()
  if (loading) return <Spin fullscreen description="Loading your session" />
  if (!session) {
    const next = encodeURIComponent(location.pathname + location.search)
    return <Navigate to={`/signin?next=${next}`} replace />
  }
  return children
}
