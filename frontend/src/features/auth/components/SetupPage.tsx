import { Button, Form, Input } from 'antd'
import { useState } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { AuthCard } from '../../../components/AuthCard'
import { errorText, rest } from '../../../lib/rest'

interface Owner {
  email: string
  displayName?: string
  password: string
}

/** The one-time setup link's page: creates the first owner and signs them in. */
export function SetupPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const navigate = useNavigate()
  const { refresh } = useSession()
  const [error, setError] = useState<string | null>(token ? null : 'This link has no setup token.')
  const [busy, setBusy] = useState(false)

  async function submit(values: Owner) {
    setBusy(true)
    try {
      const result = await rest('/auth/setup', {
        token,
        email: values.email,
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

  return (
    <AuthCard title="Create the first owner" error={error}>
      <Form<Owner> layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item label="Email" name="email" rules={[{ required: true, message: 'Enter your email.' }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
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
        <Button type="primary" htmlType="submit" block loading={busy} disabled={!token}>
          Create owner
        </Button>
      </Form>
    </AuthCard>
  )
}
