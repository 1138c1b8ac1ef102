import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Form, Input, Popconfirm, Select, Table, Typography, type TableColumnsType } from 'antd'
import { useState } from 'react'
import { CopyableText } from '../../../components/CopyableText'
import { DateTime } from '../../../components/DateTime'
import { LoadError } from '../../../components/LoadError'
import {
  InviteMemberDocument,
  InvitesDocument,
  RevokeInviteDocument,
  type InviteFieldsFragment,
  type Role,
} from '../../../gql/graphql'
import { failureText, refusalText } from '../problems'
import { roleLabel, rolesUpTo } from '../roles'

const INVITES = [{ query: InvitesDocument }]

interface Fields {
  email: string
  role: Role
}

/** Inviting someone by email and role (the link is shown once), and the invitations still pending. */
export function InvitesSection({ own }: { own: Role | undefined }) {
  const { message } = App.useApp()
  const [form] = Form.useForm<Fields>()
  const { data, loading, error, refetch } = useQuery(InvitesDocument)
  const [invite, { loading: inviting }] = useMutation(InviteMemberDocument, {
    refetchQueries: (result) => (result.data?.inviteMember.__typename === 'IssuedInvite' ? INVITES : []),
  })
  const [revoke] = useMutation(RevokeInviteDocument, {
    refetchQueries: (result) => (result.data?.revokeInvite.__typename === 'RevokedInvite' ? INVITES : []),
  })
  const [issued, setIssued] = useState<{ email: string; url: string; mailed: boolean } | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)

  async function submit(values: Fields) {
    setRefusal(null)
    setIssued(null)
    try {
      const { data: answer } = await invite({ variables: { email: values.email.trim(), role: values.role } })
      const result = answer?.inviteMember
      if (result?.__typename === 'IssuedInvite') {
        setIssued({ email: result.invite.email, url: result.url, mailed: result.mailed })
        form.resetFields()
      } else setRefusal(refusalText(result, 'The server gave no answer.'))
    } catch (failure) {
      setRefusal(failureText(failure))
    }
  }

  async function withdraw(item: InviteFieldsFragment) {
    try {
      const { data: answer } = await revoke({ variables: { id: item.id } })
      const result = answer?.revokeInvite
      if (result?.__typename === 'RevokedInvite') void message.success(`Withdrew the invitation of ${item.email}.`)
      else void message.error(refusalText(result, 'The invitation was gone already.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  const columns: TableColumnsType<InviteFieldsFragment> = [
    { title: 'Email', dataIndex: 'email' },
    { title: 'Role', dataIndex: 'role', width: 110, render: (role: Role) => roleLabel(role) },
    { title: 'Invited by', dataIndex: 'invitedBy', render: (by: string | null) => by ?? '—' },
    { title: 'Expires', dataIndex: 'expiresAt', width: 150, render: (value: string) => <DateTime value={value} /> },
    {
      title: 'Actions',
      key: 'actions',
      width: 110,
      render: (_: unknown, item) => (
        <Popconfirm
          title={`Withdraw the invitation of ${item.email}?`}
          description="Its link stops working."
          okText="Revoke"
          okButtonProps={{ danger: true }}
          cancelText="Keep"
          onConfirm={() => void withdraw(item)}
        >
          <Button size="small" danger aria-label={`Revoke invitation of ${item.email}`}>
            Revoke
          </Button>
        </Popconfirm>
      ),
    },
  ]

  return (
    <section aria-labelledby="settings-invite-title">
      <Flex vertical gap={12}>
        <Typography.Title level={4} id="settings-invite-title" style={{ margin: 0 }}>
          Invite someone
        </Typography.Title>
        <Form<Fields>
          form={form}
          layout="inline"
          initialValues={{ role: 'EDITOR' }}
          onFinish={(values) => void submit(values)}
          requiredMark={false}
        >
          <Form.Item label="Email" name="email" rules={[{ required: true, type: 'email', message: 'Enter an email address.' }]}>
            <Input type="email" autoComplete="off" className="settings-email-input" />
          </Form.Item>
          <Form.Item label="Role" name="role">
            <Select<Role>
              aria-label="Role"
              className="settings-role-select"
              options={rolesUpTo(own).map((role) => ({ value: role, label: roleLabel(role) }))}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={inviting}>
              Invite
            </Button>
          </Form.Item>
        </Form>
        {refusal ? <Alert type="error" role="alert" title={refusal} /> : null}
        {issued ? (
          <Alert
            type="success"
            title={`Invited ${issued.email}${issued.mailed ? '; the link was mailed to them too' : ''}.`}
            description={
              <Flex vertical gap={8}>
                <span>Hand them this link now: it will not be shown again.</span>
                <CopyableText text={issued.url} label="Invitation link" />
              </Flex>
            }
            closable={{ 'aria-label': 'Close the invitation link' }}
            onClose={() => setIssued(null)}
          />
        ) : null}
        <Typography.Title level={5} style={{ margin: 0 }}>
          Pending invitations
        </Typography.Title>
        {error ? <LoadError what="The invitations" error={error} onRetry={() => void refetch()} /> : null}
        <Table<InviteFieldsFragment>
          aria-label="Pending invitations"
          rowKey="id"
          columns={columns}
          dataSource={data?.invites}
          loading={loading}
          pagination={false}
          locale={{ emptyText: error ? 'Nothing to show.' : 'No pending invitations.' }}
        />
      </Flex>
    </section>
  )
}
