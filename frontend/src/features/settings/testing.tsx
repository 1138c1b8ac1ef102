// Fixtures shared by the Settings tests: sessions of each role and the page rendered at one tab.
import type { MockLink } from '@apollo/client/testing'
import type { Role } from '../../gql/graphql'
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
