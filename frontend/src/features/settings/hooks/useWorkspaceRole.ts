import { useParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import type { SessionWorkspace } from '../../auth/api/session'

/** The workspace named in the URL as the session knows it (with the person's role), if a member. */
export function useCurrentWorkspace(): SessionWorkspace | undefined {
  const { session } = useSession()
  const { workspace } = useParams()
  return session?.workspaces.find((item) => item.slug === workspace)
}
