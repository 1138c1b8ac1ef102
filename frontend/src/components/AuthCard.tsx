import { Alert, Card, Flex, Typography } from 'antd'
import type { ReactNode } from 'react'

/** The frame of the signed-out pages: a titled card in the middle of the page, with an optional notice. */
export function AuthCard({
  title,
  error,
  note,
  children,
}: {
  title: string
  error?: string | null
  note?: string | null
  children?: ReactNode
}) {
  return (
    <Flex justify="center" align="center" style={{ minHeight: '100vh', padding: 16 }}>
      <Card style={{ width: 420, maxWidth: '100%' }}>
        <Typography.Title level={3}>{title}</Typography.Title>
        {note ? <Alert type="info" title={note} style={{ marginBottom: 16 }} /> : null}
        {error ? <Alert type="error" role="alert" title={error} style={{ marginBottom: 16 }} /> : null}
        {children}
      </Card>
    </Flex>
  )
}
