import { describe, expect, it } from 'vitest'
import { parseSession } from './session'

describe('parseSession', () => {
  it('reads the server’s session, roles in the schema’s spelling', () => {
    const session = parseSession({
      user: { id: 'u1', email: 'ada@example.com', displayName: 'Ada' },
      workspaces: [{ id: 'w1', slug: 'default', name: 'Default', role: 'editor' }],
      csrfToken: 'c1',
    })
    expect(session?.workspaces).toEqual([{ id: 'w1', slug: 'default', name: 'Default', role: 'EDITOR' }])
    expect(session?.csrfToken).toBe('c1')
  })

  it('is null for anything that is not a session', () => {
    expect(parseSession(null)).toBeNull()
    expect(parseSession({ error: { code: 'UNAUTHENTICATED' } })).toBeNull()
    expect(parseSession({ user: {}, workspaces: [] })).toBeNull()
  })
})
