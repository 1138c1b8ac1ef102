import { useMutation, useQuery } from '@apollo/client/react'
import { Alert, App, Button, Flex, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography, type TableColumnsType } from 'antd'
import { useMemo, useState } from 'react'
import { DateTime } from '../../../components/DateTime'
import { LoadError } from '../../../components/LoadError'
import { CredentialsDocument, DeleteCredentialDocument, SetCredentialDocument } from '../../../gql/graphql'
import { sentence } from '../../workflows/problems'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { failureText, refusalText } from '../problems'
import { providerRows, type ProviderRow } from '../providers'
import { can } from '../roles'

const CREDENTIALS = [{ query: CredentialsDocument }]

interface Fields {
  apiKey: string
  baseUrl: string
}

/**
 * Setting a provider's key: a password field that is written, never read back. Mounted only while
 * open, so a typed key does not outlive the dialog.
 */
function SetKeyModal({ row, onClose }: { row: ProviderRow; onClose: () => void }) {
  const { message } = App.useApp()
  const [form] = Form.useForm<Fields>()
  const [set, { loading }] = useMutation(SetCredentialDocument, {
    refetchQueries: (result) => (result.data?.setCredential.__typename === 'Credential' ? CREDENTIALS : []),
    awaitRefetchQueries: true,
  })
  const [problems, setProblems] = useState<string[]>([])

  async function submit(values: Fields) {
    setProblems([])
    try {
      const { data } = await set({
        variables: { input: { provider: row.id, apiKey: values.apiKey || null, baseUrl: values.baseUrl.trim() || null } },
      })
      const answer = data?.setCredential
      if (answer?.__typename === 'Credential') {
        void message.success(`Saved the ${row.name} credential.`)
        onClose()
      } else if (answer?.__typename === 'InvalidCredential') {
        setProblems(answer.problems.map((problem) => sentence(problem.message) || problem.code))
      } else setProblems(['The server gave no answer.'])
    } catch (failure) {
      setProblems([failureText(failure)])
    }
  }

  return (
    <Modal
      open
      title={`${row.credential ? 'Replace' : 'Set'} the ${row.name} key`}
      okText="Save"
      confirmLoading={loading}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<Fields>
        form={form}
        layout="vertical"
        initialValues={{ apiKey: '', baseUrl: row.credential?.baseUrl ?? '' }}
        onFinish={(values) => void submit(values)}
      >
        <Typography.Paragraph type="secondary">
          The key is stored encrypted and never shown again, here or anywhere else.
        </Typography.Paragraph>
        <Form.Item
          label="API key"
          name="apiKey"
          rules={row.id === 'ollama' ? [] : [{ required: true, message: 'Enter the key.' }]}
        >
          <Input.Password autoComplete="new-password" visibilityToggle={false} />
        </Form.Item>
        <Form.Item label="Base URL (optional)" name="baseUrl">
          <Input placeholder={row.id === 'ollama' ? 'http://127.0.0.1:11434' : 'https://api.example.com/v1'} />
        </Form.Item>
      </Form>
      {problems.length > 0 ? (
        <Alert
          type="error"
          role="alert"
          title="The credential was not saved"
          description={
            <ul aria-label="Problems" className="settings-problems">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          }
        />
      ) : null}
    </Modal>
  )
}

/** Each provider with whether a key is set and since when; editors set, replace and delete keys. */
export function CredentialsTab() {
  const { message } = App.useApp()
  const workspace = useCurrentWorkspace()
  const canEdit = can(workspace?.role, 'edit')
  const { data, loading, error, refetch } = useQuery(CredentialsDocument)
  const [remove] = useMutation(DeleteCredentialDocument, {
    refetchQueries: (result) => (result.data?.deleteCredential.__typename === 'DeletedCredential' ? CREDENTIALS : []),
    awaitRefetchQueries: true,
  })
  const [editing, setEditing] = useState<ProviderRow | null>(null)
  const rows = useMemo(() => (data ? providerRows(data.credentials) : []), [data])

  async function deleteCredential(row: ProviderRow) {
    try {
      const { data: answer } = await remove({ variables: { provider: row.id } })
      const result = answer?.deleteCredential
      if (result?.__typename === 'DeletedCredential') void message.success(`Deleted the ${row.name} credential.`)
      else void message.error(refusalText(result, 'It was deleted already.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  const columns: TableColumnsType<ProviderRow> = [
    {
      title: 'Provider',
      key: 'provider',
      render: (_: unknown, row) => (
        <Flex vertical>
          <Typography.Text strong>{row.name}</Typography.Text>
          {row.note ? <Typography.Text type="secondary">{row.note}</Typography.Text> : null}
        </Flex>
      ),
    },
    {
      title: 'Key',
      key: 'state',
      width: 110,
      render: (_: unknown, row) => (row.credential ? <Tag color="success">Set</Tag> : <Tag>Not set</Tag>),
    },
    { title: 'Base URL', key: 'baseUrl', render: (_: unknown, row) => row.credential?.baseUrl ?? '—' },
    {
      title: 'Updated',
      key: 'updatedAt',
      width: 150,
      render: (_: unknown, row) => <DateTime value={row.credential?.updatedAt} empty="never set" />,
    },
    ...(canEdit
      ? [
          {
            title: 'Actions',
            key: 'actions',
            width: 200,
            render: (_: unknown, row: ProviderRow) => (
              <Space>
                <Button size="small" aria-label={`${row.credential ? 'Replace' : 'Set'} ${row.name} key`} onClick={() => setEditing(row)}>
                  {row.credential ? 'Replace' : 'Set key'}
                </Button>
                {row.credential ? (
                  <Popconfirm
                    title={`Delete the ${row.name} credential?`}
                    description="Runs that use its models fail until a key is set again."
                    okText="Delete"
                    okButtonProps={{ danger: true }}
                    cancelText="Keep"
                    onConfirm={() => void deleteCredential(row)}
                  >
                    <Button size="small" danger aria-label={`Delete ${row.name} credential`}>
                      Delete
                    </Button>
                  </Popconfirm>
                ) : null}
              </Space>
            ),
          },
        ]
      : []),
  ]

  return (
    <Flex vertical gap={16} className="settings-tab">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        Keys go in and never come out: not to this page, not to the API.
        {canEdit ? '' : ' Editors, admins and owners set them.'}
      </Typography.Paragraph>
      {error ? <LoadError what="The credentials" error={error} onRetry={() => void refetch()} /> : null}
      <Table<ProviderRow>
        aria-label="Credentials"
        rowKey="id"
        columns={columns}
        dataSource={rows}
        loading={loading}
        pagination={false}
        locale={{ emptyText: error ? 'Nothing to show.' : 'No providers.' }}
      />
      {editing ? <SetKeyModal row={editing} onClose={() => setEditing(null)} /> : null}
    </Flex>
  )
}
