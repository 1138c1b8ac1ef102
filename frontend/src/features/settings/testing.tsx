// Fixtures shared by the Settings tests: sessions of each role and the page rendered at one tab.
import type { MockLink } from '@apollo/client/testing'
import { InvitesDocument, MembersDocument, type Role } from '../../gql/graphql'
import type { Session } from '../auth/api/session'
import { OWNER_SESSION, renderAt } from '../../test/render'
import SettingsPage from './components/SettingsPage'

/** The owner's session with another role in the `default` workspace. */
export function sessionAs(role: Role): Session {
  return { ...OWNER_SESSION, workspaces: [{ ...OWNER_SESSION.workspaces[0], role }] }
}

/** The Settings page at `tab` for someone with `role`, answering GraphQL from `mocks`. */
export function renderSettings(tab: string, role: Role, mocks: MockLink.MockedResponse[]) {
  return renderAt(<SettingsPage />, {
    path: `/w/default/settings/${tab}`,
    pattern: '/w/:workspace/settings/:tab',
    session: sessionAs(role),
    mocks,
  })
}

/** A member of the workspace. */
export function member(userId: string, email: string, role: Role) {
  return { __typename: 'Member' as const, userId, email, displayName: email.split('@')[0], role, joinedAt: '2026-12-01T10:00:00Z' }
}

/** A pending invitation. */
export const invite = {
  __typename: 'Invite' as const,
  id: 'i1',
  email: 'grace@example.com',
  role: 'EDITOR' as const,
  invitedBy: 'ada@example.com',
  createdAt: '2026-12-02T10:00:00Z',
  expiresAt: '2026-12-09T10:00:00Z',
}

/** Two owners. */
export const MEMBERS = [member('u1', 'ada@example.com', 'OWNER'), member('u2', 'bob@example.com', 'OWNER')]
/** `members` answering `list`. */
export const members = (list = MEMBERS): MockLink.MockedResponse => ({ request: { query: MembersDocument }, result: { data: { members: list } } })
/** `invites` answering `list`. */
export const invites = (list: (typeof invite)[] = []): MockLink.MockedResponse => ({ request: { query: InvitesDocument }, result: { data: { invites: list } } })
