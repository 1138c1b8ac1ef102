import { Button, Divider, Flex, Form, Input } from 'antd'
import { useEffect, useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { AuthCard } from '../../../components/AuthCard'
import { errorText, rest } from '../../../lib/rest'
import { fetchProviders, type Provider } from '../api/session'
import { safeNext, signInErrorText } from '../messages'

interface Credentials {
  email: string
  password: string
}

/** Sign in with a password or with any configured OpenID provider. */
export function SignInPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const { refresh, session } = useSession()
  const next = safeNext(params.get('next'))
  const code = params.get('error')
  const [error, setError] = useState<string | null>(code ? signInErrorText(code) : null)
  const [providers, setProviders] = useState<Provider[]>([])
  const [setupRequired, setSetupRequired] = useState(false)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    fetchProviders()
      .then((answer) => {
        if (!live) return
        setProviders(answer.providers)
        setSetupRequired(answer.setupRequired)
      })
      .catch(() => {
        // without the list there are no provider buttons; the password form still works
      })
    return () => {
      live = false
    }
  }, [])

  async function submit(values: Credentials) {
    setBusy(true)
    try {
      const result = await rest('/auth/login', { email: values.email, password: values.password })
      if (!result.ok) {
        setError(errorText(result))
        return
      }
      await refresh()
      await navigate(next, { replace: true })
    } finally {
      setBusy(false)
    }
  }

  // someone already signed in (a bookmark, the back button) goes straight on
  if (session && !busy) return <Navigate to={next} replace />

  const setupNote = setupRequired
    ? 'Nobody can sign in yet: open the one-time setup link that flowloom serve printed when it started.'
    : null
  return (
    <AuthCard title="Sign in" error={error} note={setupNote}>
      <Form<Credentials> layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item label="Email" name="email" rules={[{ required: true, message: 'Enter your email.' }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <Form.Item label="Password" name="password" rules={[{ required: true, message: 'Enter your password.' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          Sign in
        </Button>
      </Form>
      {providers.length > 0 ? (
        <>
          <Divider plain>or</Divider>
          <Flex vertical gap={8}>
            {providers.map((provider) => (
              <Button key={provider.id} block href={`${provider.loginUrl}?next=${encodeURIComponent(next)}`}>
                {`Sign in with ${provider.name}`}
              </Button>
            ))}
          </Flex>
        </>
      ) : null}
    </AuthCard>
  )
}
