import { useMutation } from '@apollo/client/react'
import { App, Button, Card, Descriptions, Flex, Form, Input, Modal, Typography } from 'antd'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useSession } from '../../../app/sessionContext'
import { DeleteWorkspaceDocument, RenameWorkspaceDocument } from '../../../gql/graphql'
import { useCurrentWorkspace } from '../hooks/useWorkspaceRole'
import { failureText, refusalText } from '../problems'
import { can, roleLabel } from '../roles'

/** The workspace's name (admins rename it), its slug, and deleting it (owners, typing the slug). */
export function GeneralTab() {
  const { message } = App.useApp()
  const { session, refresh } = useSession()
  const navigate = useNavigate()
  const workspace = useCurrentWorkspace()
  const [rename, { loading: renaming }] = useMutation(RenameWorkspaceDocument)
  const [remove, { loading: deleting }] = useMutation(DeleteWorkspaceDocument)
  const [confirming, setConfirming] = useState(false)
  const [typed, setTyped] = useState('')
  const [renameError, setRenameError] = useState<string | null>(null)
  if (!workspace) return null

  async function submitName({ name }: { name: string }) {
    setRenameError(null)
    try {
      const { data } = await rename({ variables: { name: name.trim() } })
      const answer = data?.renameWorkspace
      if (answer?.__typename === 'Workspace') {
        void message.success(`Renamed to “${answer.name}”.`)
        // the header's workspace switcher shows names from the session
        await refresh()
      } else setRenameError(refusalText(answer, 'The server gave no answer.'))
    } catch (failure) {
      setRenameError(failureText(failure))
    }
  }

  async function deleteWorkspace() {
    try {
      const { data } = await remove({ variables: { confirmSlug: typed } })
      const answer = data?.deleteWorkspace
      if (answer?.__typename !== 'DeletedWorkspace') {
        void message.error(refusalText(answer, 'The server gave no answer.'))
        return
      }
      setConfirming(false)
      const cancelled = answer.cancelledRuns
      void message.success(
        `Deleted “${answer.slug}”${cancelled ? `; ${cancelled} unfinished run${cancelled === 1 ? ' was' : 's were'} cancelled` : ''}.`,
      )
      // leave first, then forget it: the page never shows the workspace it just deleted as missing
      const next = session?.workspaces.find((item) => item.slug !== answer.slug)
      await navigate(next ? `/w/${next.slug}/workflows` : '/account')
      refresh().catch(() => void message.warning('Reload the page to see your workspaces as they are now.'))
    } catch (failure) {
      void message.error(failureText(failure))
    }
  }

  return (
    <Flex vertical gap={16} className="settings-tab">
      <Descriptions
        column={1}
        items={[
          { key: 'slug', label: 'Slug', children: <Typography.Text code>{workspace.slug}</Typography.Text> },
          { key: 'role', label: 'Your role', children: roleLabel(workspace.role) },
          ...(can(workspace.role, 'manage') ? [] : [{ key: 'name', label: 'Name', children: workspace.name }]),
        ]}
      />
      {can(workspace.role, 'manage') ? (
        <Form
          key={workspace.name}
          layout="inline"
          initialValues={{ name: workspace.name }}
          onFinish={(values: { name: string }) => void submitName(values)}
          requiredMark={false}
        >
          <Form.Item
            label="Workspace name"
            name="name"
            rules={[{ required: true, whitespace: true, message: 'Name the workspace.' }]}
            validateStatus={renameError ? 'error' : undefined}
            help={renameError ?? undefined}
          >
            <Input className="settings-name-input" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={renaming}>
              Rename
            </Button>
          </Form.Item>
        </Form>
      ) : null}
      {can(workspace.role, 'own') ? (
        <Card title="Delete this workspace" className="settings-danger">
          <Typography.Paragraph>
            Its workflows, runs and credentials go with it; unfinished runs are cancelled. This cannot be undone.
          </Typography.Paragraph>
          <Button danger onClick={() => { setTyped(''); setConfirming(true) }}>
            Delete workspace…
          </Button>
        </Card>
      ) : null}
      <Modal
        open={confirming}
        title={`Delete “${workspace.name}”?`}
        okText="Delete workspace"
        okButtonProps={{ danger: true, disabled: typed !== workspace.slug, loading: deleting }}
        onOk={() => void deleteWorkspace()}
        onCancel={() => setConfirming(false)}
        destroyOnHidden
      >
        <Typography.Paragraph>
          Type the workspace’s slug, <Typography.Text code>{workspace.slug}</Typography.Text>, to confirm.
        </Typography.Paragraph>
        <Input aria-label="Slug to confirm" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
      </Modal>
    </Flex>
  )
}
