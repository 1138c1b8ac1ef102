// Renders a piece of the app the way the app does (theme, session, router, Apollo mocks), for tests.
import type { ApolloLink } from '@apollo/client'
import type { MockLink } from '@apollo/client/testing'
import { MockedProvider } from '@apollo/client/testing/react'
import { StyleProvider } from '@ant-design/cssinjs'
import { render } from '@testing-library/react'
import { App as AntApp, ConfigProvider } from 'antd'
import type { ReactElement } from 'react'
import { MemoryRouter, Route, Routes } from 'react-router'
import { createCache } from '../app/apollo'
import { SessionProvider } from '../app/session'
import { theme } from '../app/theme'
import type { Session } from '../features/auth/api/session'

// antd's CSS-in-JS rules go to a detached node, not the document: jsdom's getComputedStyle walks
// every rule for every element, and Testing Library's role queries call it for each element they
// look at (measured: 13 ms per call with ~900 rules, which made a one-row table query take 5 s).
const styles = document.createElement('div')

/** A signed-in owner of the `default` workspace. */
export const OWNER_SESSION: Session = {
  user: { id: 'u1', email: 'ada@example.com', displayName: 'Ada' },
  workspaces: [{ id: 'w1', slug: 'default', name: 'Default workspace', role: 'OWNER' }],
  csrfToken: 'csrf-1',
}

/** Renders `element` at `path` (matched by `pattern`) with the given session and GraphQL mocks or link. */
export function renderAt(
  element: ReactElement,
  {
    path = '/',
    pattern = '*',
    session = null,
    mocks = [],
    link,
  }: {
    path?: string
    pattern?: string
    session?: Session | null
    mocks?: MockLink.MockedResponse[]
    /** Replaces `mocks`: a link of the test's own, such as `liveLink`. */
    link?: ApolloLink
  } = {},
) {
  return render(
    <StyleProvider container={styles}>
    <ConfigProvider theme={theme}>
      <AntApp>
        <SessionProvider initial={session}>
          <MockedProvider mocks={mocks} link={link} cache={createCache()}>
            <MemoryRouter initialEntries={[path]}>
              <Routes>
                <Route path={pattern} element={element} />
                <Route path="*" element={<p>elsewhere</p>} />
              </Routes>
            </MemoryRouter>
          </MockedProvider>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
    </StyleProvider>,
  )
}

/**
 * Imports the lazily loaded JSON-Schema form ahead of a test (use in `beforeAll`): its first import
 * takes seconds on a busy machine, which would otherwise count against a `findBy…` timeout.
 */
export function loadSchemaForm(): Promise<unknown> {
  return import('../components/schemaForm/SchemaForm')
}
