import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography, type TableColumnsType } from 'antd'
import { useState } from 'react'
import { CopyableText } from '../../../components/CopyableText'
import { DateTime } from '../../../components/DateTime'
import { LoadError } from '../../../components/LoadError'
import { ApiTokensDocument, CreateApiTokenDocument, RevokeApiTokenDocument, type ApiTokenFieldsFragment, type Role } from '../../../gql/graphql'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { failureText, refusalText } from '../problems'
import { roleLabel, rolesUpTo } from '../roles'

const TOKENS = [{ query: ApiTokensDocument }]
const NEVER = 0
const EXPIRIES = [
  { value: 7, label: '7 days' },
  { value: 30, label: '30 days' },
  { value: 90, label: '90 days' },
  { value: 365, label: 'a year' },
  { value: NEVER, label: 'never' },
]

interface Fields {
  name: string
  role: Role
  expiresInDays: number
}

/** The one moment a token's secret is seen: a dialog with the secret and a copy button. */
function SecretDialog({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  return (
    <Modal
      open
      title={`Token “${name}” created`}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          I have copied it
        </Button>
      }
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Alert type="warning" title="Copy the token now: it will not be shown again." />
        <CopyableText text={secret} label="API token" />
        <Typography.Text type="secondary">
          Programs send it as <Typography.Text code>Authorization: Bearer …</Typography.Text> to /graphql.
        </Typography.Text>
      </Flex>
    </Modal>
  )
}

/** API tokens (admins and owners): list, create with a role no higher than one's own, revoke. */
export function TokensTab() {
  const { message } = App.useApp()
  const [form] = Form.useForm<Fields>()
  const workspace = useCurrentWorkspace()
  const { data, loading, error, refetch } = useQuery(ApiTokensDocument)
  const [create, { loading: creating }] = useMutation(CreateApiTokenDocument, {
    // only a created token changes the list; a refused one leaves it as it was
    refetchQueries: (result) => (result.data?.createApiToken.__typename === 'CreatedApiToken' ? TOKENS : []),
  })
  const [revoke] = useMutation(RevokeApiTokenDocument)
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)

  async function submit(values: Fields) {
    setRefusal(null)
    try {
      const { data: answer } = await create({
        variables: {
          input: {
            name: values.name.trim(),
            role: values.role,
            expiresInDays: values.expiresInDays === NEVER ? null : values.expiresInDays,
          },
        },
      })
      const result = answer?.createApiToken
      if (result?.__typename === 'CreatedApiToken') {
        setCreated({ name: result.token.name, secret: result.secret })
        form.resetFields()
      } else setRefusal(refusalText(result, 'The server gave no answer.'))
    } catch (failure) {
      setRefusal(failureText(failure))
    }
  }

  async function revokeToken(token: ApiTokenFieldsFragment) {
    try {
      // the answer is the token (normalised by id): its row shows the revocation without a refetch
      const { data: answer } = await revoke({ variables: { id: token.id } })
      const result = answer?.revokeApiToken
      if (result?.__typename === 'ApiToken') void message.success(`Revoked “${token.name}”.`)
      else void message.error(refusalText(result, 'The token was gone already.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  const columns: TableColumnsType<ApiTokenFieldsFragment> = [
    {
      title: 'Name',
      dataIndex: 'name',
      render: (name: string, token) => (
        <Flex vertical>
          <span>{name}</span>
          <Typography.Text type="secondary" code>
            {token.prefix}…
          </Typography.Text>
        </Flex>
      ),
    },
    { title: 'Role', dataIndex: 'role', width: 100, render: (role: Role) => roleLabel(role) },
    { title: 'Created', dataIndex: 'createdAt', width: 140, render: (value: string) => <DateTime value={value} /> },
    { title: 'Last used', dataIndex: 'lastUsedAt', width: 140, render: (value: string | null) => <DateTime value={value} /> },
    {
      title: 'Expires',
      dataIndex: 'expiresAt',
      width: 140,
      render: (value: string | null) => (value ? <DateTime value={value} /> : 'never'),
    },
    {
      title: 'Status',
      key: 'status',
      width: 190,
      render: (_: unknown, token) =>
        token.revokedAt ? (
          <Tag>
            Revoked <DateTime value={token.revokedAt} />
          </Tag>
        ) : (
          <Popconfirm
            title={`Revoke “${token.name}”?`}
            description="Programs using it are refused from their next request."
            okText="Revoke"
            okButtonProps={{ danger: true }}
            cancelText="Keep"
            onConfirm={() => void revokeToken(token)}
          >
            <Button size="small" danger aria-label={`Revoke ${token.name}`}>
              Revoke
            </Button>
          </Popconfirm>
        ),
    },
  ]

  return (
    <Flex vertical gap={16} className="settings-tab">
      <Form<Fields>
        form={form}
        layout="inline"
        initialValues={{ role: 'VIEWER', expiresInDays: 30 }}
        onFinish={(values) => void submit(values)}
        requiredMark={false}
        aria-label="New API token"
      >
        <Form.Item label="Token name" name="name" rules={[{ required: true, whitespace: true, message: 'Name the token.' }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label="Role" name="role">
          <Select<Role>
            aria-label="Token role"
            className="settings-role-select"
            options={rolesUpTo(workspace?.role).map((role) => ({ value: role, label: roleLabel(role) }))}
          />
        </Form.Item>
        <Form.Item label="Expires in" name="expiresInDays">
          <Select<number> aria-label="Expires in" className="settings-role-select" options={EXPIRIES} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={creating}>
            Create token
          </Button>
        </Form.Item>
      </Form>
      {refusal ? <Alert type="error" role="alert" title={refusal} /> : null}
      {error ? <LoadError what="The API tokens" error={error} onRetry={() => void refetch()} /> : null}
      <Table<ApiTokenFieldsFragment>
        aria-label="API tokens"
        rowKey="id"
        columns={columns}
        dataSource={data?.apiTokens}
        loading={loading}
        pagination={false}
        locale={{ emptyText: error ? 'Nothing to show.' : 'No API tokens yet.' }}
      />
      {created ? <SecretDialog name={created.name} secret={created.secret} onClose={() => setCreated(null)} /> : null}
    </Flex>
  )
}
