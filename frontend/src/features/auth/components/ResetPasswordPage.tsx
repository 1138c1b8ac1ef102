import { Button, Form, Input } from 'antd'
import { useState } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { AuthCard } from '../../../components/AuthCard'
import { errorText, rest } from '../../../lib/rest'

/** A password-reset link's page: sets the new password and signs this browser in. */
export function ResetPasswordPage() {
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const navigate = useNavigate()
  const { refresh } = useSession()
  const [error, setError] = useState<string | null>(token ? null : 'This link has no reset token.')
  const [busy, setBusy] = useState(false)

  async function submit(values: { password: string }) {
    setBusy(true)
    try {
      const result = await rest('/auth/password/reset', { token, password: values.password })
      if (!result.ok) {
        setError(result.status === 404 ? 'This link was used already, has expired or is wrong.' : errorText(result))
        return
      }
      await refresh()
      await navigate('/', { replace: true })
    } finally {
      setBusy(false)
    }
  }

  return (
    <AuthCard title="Choose a new password" error={error}>
      <Form<{ password: string }> layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item
          label="New password (at least 10 characters)"
          name="password"
          rules={[{ required: true, min: 10, message: 'Choose a password of at least 10 characters.' }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy} disabled={!token}>
          Set password
        </Button>
      </Form>
    </AuthCard>
  )
}
