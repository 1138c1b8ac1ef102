import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import { fetchSession, type Session } from '../features/auth/api/session'
import { rest } from '../lib/rest'
import { SessionContext } from './sessionContext'

/**
 * Holds the session read from `/auth/session`. The session id stays in its HttpOnly cookie and the
 * CSRF token in memory: nothing goes to browser storage. `initial` skips the first read (tests).
 */
export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session | null }) {
  const [session, setSession] = useState<Session | null>(initial ?? null)
  const [loading, setLoading] = useState(initial === undefined)

  const refresh = useCallback(async () => {
    const next = await fetchSession()
    setSession(next)
    setLoading(false)
    return next
  }, [])

  useEffect(() => {
    if (initial !== undefined) return
    let live = true
    fetchSession()
      .then((next) => {
        if (live) setSession(next)
      })
      .catch(() => {
        // the server is unreachable: treat it as signed out; the sign-in page says what fails next
        if (live) setSession(null)
      })
      .finally(() => {
        if (live) setLoading(false)
      })
    return () => {
      live = false
    }
  }, [initial])

  const signOut = useCallback(async () => {
    if (session) await rest('/auth/logout', {}, { 'X-CSRF-Token': session.csrfToken })
    setSession(null)
  }, [session])

  const value = useMemo(() => ({ loading, session, refresh, signOut }), [loading, session, refresh, signOut])
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}
