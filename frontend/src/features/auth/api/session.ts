import { asRecord, rest, stringField } from '../../../lib/rest'
import type { Role } from '../../../gql/graphql'

/** A workspace the signed-in person belongs to, as `/auth/session` lists it. */
export interface SessionWorkspace {
  id: string
  slug: string
  name: string
  role: Role
}

/** Who is signed in, their workspaces and the CSRF token every non-GET request must carry. */
export interface Session {
  user: { id: string; email: string; displayName: string }
  workspaces: SessionWorkspace[]
  csrfToken: string
}

const ROLES: readonly Role[] = ['VIEWER', 'RUNNER', 'EDITOR', 'ADMIN', 'OWNER']

function toRole(value: unknown): Role {
  const upper = typeof value === 'string' ? value.toUpperCase() : ''
  return ROLES.find((role) => role === upper) ?? 'VIEWER'
}

/** Reads `/auth/session`'s answer; `null` when it is not a session (signed out or malformed). */
export function parseSession(data: unknown): Session | null {
  const record = asRecord(data)
  const user = asRecord(record?.user)
  const csrfToken = stringField(record, 'csrfToken')
  if (!record || !user || !csrfToken) return null
  const workspaces = Array.isArray(record.workspaces) ? record.workspaces : []
  return {
    user: {
      id: stringField(user, 'id') ?? '',
      email: stringField(user, 'email') ?? '',
      displayName: stringField(user, 'displayName') ?? '',
    },
    workspaces: workspaces.flatMap((item: unknown) => {
      const slug = stringField(item, 'slug')
      if (!slug) return []
      return [
        {
          id: stringField(item, 'id') ?? slug,
          slug,
          name: stringField(item, 'name') ?? slug,
          role: toRole(asRecord(item)?.role),
        },
      ]
    }),
    csrfToken,
  }
}

/** The current session, or `null` when nobody is signed in in this browser. */
export async function fetchSession(): Promise<Session | null> {
  const result = await rest('/auth/session')
  return result.ok ? parseSession(result.data) : null
}

/** A sign-in provider button: its id, its name and where its flow starts. */
export interface Provider {
  id: string
  name: string
  loginUrl: string
}

/** The sign-in page's choices (`/auth/providers`). */
export async function fetchProviders(): Promise<{ password: boolean; providers: Provider[]; setupRequired: boolean }> {
  const result = await rest('/auth/providers')
  const record = asRecord(result.data)
  const list = Array.isArray(record?.providers) ? record.providers : []
  return {
    password: record?.password !== false,
    setupRequired: record?.setupRequired === true,
    providers: list.flatMap((item: unknown) => {
      const id = stringField(item, 'id')
      const loginUrl = stringField(item, 'loginUrl')
      return id && loginUrl ? [{ id, name: stringField(item, 'name') ?? id, loginUrl }] : []
    }),
  }
}
