import { createContext, useContext } from 'react'
import type { Session } from '../features/auth/api/session'

/** The session as the app sees it: loading, signed out (`null`) or signed in. */
export interface SessionState {
  loading: boolean
  session: Session | null
  /** Reads `/auth/session` again (after a sign-in, a setup or an accepted invitation). */
  refresh: () => Promise<Session | null>
  /** Ends the session on the server, then forgets it here. */
  signOut: () => Promise<void>
}

/** Filled by `SessionProvider`. */
export const SessionContext = createContext<SessionState | null>(null)

/** The session context; only inside a `SessionProvider`. */
export function useSession(): SessionState {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession is used outside a SessionProvider')
  return value
}
