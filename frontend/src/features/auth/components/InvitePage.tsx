import { ApolloProvider, useMutation } from '@apollo/client/react'
import { Button, Form, Input, Spin, Typography } from 'antd'
import { useEffect, useMemo, useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { createApolloClient } from '../../../app/apollo'
import { useSession } from '../../../app/sessionContext'
import { AuthCard } from '../../../components/AuthCard'
import { AcceptInviteDocument } from '../../../gql/graphql'
import { asRecord, errorText, rest, stringField } from '../../../lib/rest'

interface LinkInfo {
  workspace: string
  email: string
  role: string
}

const GONE = 'This invitation was used already, has expired or is wrong.'

function AcceptButton({ token, onError }: { token: string; onError: (text: string) => void }) {
  const [accept, { loading }] = useMutation(AcceptInviteDocument)
  const { refresh } = useSession()
  const navigate = useNavigate()

  async function run() {
    try {
      const { data } = await accept({ variables: { token } })
      const answer = data?.acceptInvite
      if (!answer || answer.__typename === 'Refused') {
        onError(answer?.__typename === 'Refused' ? answer.message : 'The invitation could not be accepted.')
        return
      }
      await refresh()
      await navigate(`/w/${answer.slug}/workflows`, { replace: true })
    } catch (error) {
      onError(error instanceof Error ? error.message : 'The invitation could not be accepted.')
    }
  }

  return (
    <Button type="primary" block loading={loading} onClick={() => void run()}>
      Accept invitation
    </Button>
  )
}

/** An invitation link: a signed-in person accepts it; anyone else joins with a new password. */
export function InvitePage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const { loading, session, refresh } = useSession()
  const navigate = useNavigate()
  const [info, setInfo] = useState<LinkInfo | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const client = useMemo(
    () => createApolloClient({ csrfToken: session?.csrfToken ?? '', workspace: '' }),
    [session?.csrfToken],
  )

  useEffect(() => {
    let live = true
    void rest(`/auth/links/invite?token=${encodeURIComponent(token)}`).then((result) => {
      if (!live) return
      if (!result.ok) {
        setError(GONE)
        return
      }
      setInfo({
        workspace: stringField(asRecord(result.data)?.workspace, 'name') ?? '',
        email: stringField(result.data, 'email') ?? '',
        role: (stringField(result.data, 'role') ?? '').toLowerCase(),
      })
    })
    return () => {
      live = false
    }
  }, [token])

  async function join(values: { displayName?: string; password: string }) {
    setBusy(true)
    try {
      const result = await rest('/auth/invite/accept', {
        token,
        password: values.password,
        displayName: values.displayName ?? '',
      })
      if (!result.ok) {
        setError(errorText(result))
        return
      }
      await refresh()
      await navigate('/', { replace: true })
    } finally {
      setBusy(false)
    }
  }

  if (loading || (!info && !error)) return <Spin fullscreen description="Reading the invitation" />
  if (!info) return <AuthCard title="Invitation" error={error} />
  const what = `You are invited to ${info.workspace} as ${info.role} (${info.email}).`
  if (session) {
    return (
      <AuthCard title="Invitation" error={error}>
        <Typography.Paragraph>{what}</Typography.Paragraph>
        <ApolloProvider client={client}>
          <AcceptButton token={token} onError={setError} />
        </ApolloProvider>
      </AuthCard>
    )
  }
  const here = encodeURIComponent(`/invite?token=${token}`)
  return (
    <AuthCard title="Join with a password" error={error} note={what}>
      <Form<{ displayName?: string; password: string }>
        layout="vertical"
        onFinish={(values) => void join(values)}
        requiredMark={false}
      >
        <Form.Item label="Your name" name="displayName">
          <Input autoComplete="name" />
        </Form.Item>
        <Form.Item
          label="Password (at least 10 characters)"
          name="password"
          rules={[{ required: true, min: 10, message: 'Choose a password of at least 10 characters.' }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          Join
        </Button>
      </Form>
      <Typography.Paragraph style={{ marginTop: 16 }}>
        Already have an account? <Link to={`/signin?next=${here}`}>Sign in to accept</Link>
      </Typography.Paragraph>
    </AuthCard>
  )
}
