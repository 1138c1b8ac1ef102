import { App as AntApp, ConfigProvider } from 'antd'
import type { ReactNode } from 'react'
import { SessionProvider } from './session'
import { theme } from './theme'

/** The app-wide providers: antd's theme and message context, and the session. */
export function AppProviders({ children }: { children: ReactNode }) {
  return (
    <ConfigProvider theme={theme}>
      <AntApp>
        <SessionProvider>{children}</SessionProvider>
      </AntApp>
    </ConfigProvider>
  )
}
